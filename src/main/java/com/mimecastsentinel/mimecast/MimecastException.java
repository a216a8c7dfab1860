package com.mimecastsentinel.mimecast;

/** A Mimecast API call failed. Messages carry status codes and Mimecast's error codes, never credentials. */
public class MimecastException extends RuntimeException {
    private final int status;
    private final boolean retryable;

    public MimecastException(String message, int status, boolean retryable) {
        super(message);
        this.status = status;
        this.retryable = retryable;
    }

    public MimecastException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.retryable = true;
    }

    /** HTTP status, 0 when the request never got an answer. */
    public int status() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }
}
