package com.mimecastsentinel.mimecast;

/** A Mimecast API call failed. Messages carry status codes and Mimecast's error codes, never credentials. */
public class MimecastException extends RuntimeException {
    private final int status;
    private final boolean retryable;
    private final java.util.List<String> codes;

    public MimecastException(String message, int status, boolean retryable) {
        this(message, status, retryable, java.util.List.of());
    }

    public MimecastException(String message, int status, boolean retryable, java.util.List<String> codes) {
        super(message);
        this.status = status;
        this.retryable = retryable;
        this.codes = java.util.List.copyOf(codes);
    }

    public MimecastException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.retryable = true;
        this.codes = java.util.List.of();
    }

    /** Mimecast's error codes from a {@code fail[]} array, if any. */
    public java.util.List<String> codes() {
        return codes;
    }

    /** HTTP status, 0 when the request never got an answer. */
    public int status() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }
}
