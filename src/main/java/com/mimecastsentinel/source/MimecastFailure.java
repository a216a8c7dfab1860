package com.mimecastsentinel.source;

import java.util.List;

/**
 * Mimecast answered, but not with what was asked for: HTTP 200 with a {@code fail[]} or an {@code error}, an answer
 * that is not JSON, a response shape that changed, a page token going in circles. Messages carry paths, status codes
 * and Mimecast's error codes, never credentials. {@link Retryable} ones (Mimecast says so) are tried again by the
 * Mimecast route's error handling.
 */
public class MimecastFailure extends RuntimeException {
    private final int status;
    private final List<String> codes;

    public MimecastFailure(String message, int status) {
        this(message, status, List.of());
    }

    public MimecastFailure(String message, int status, List<String> codes) {
        this(message, status, codes, null);
    }

    /** @param cause the failed answer (its status and headers tell the retry how long to wait) */
    public MimecastFailure(String message, int status, List<String> codes, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.codes = List.copyOf(codes);
    }

    /** Mimecast's error codes from a {@code fail[]} array, if any. */
    public List<String> codes() {
        return codes;
    }

    /** HTTP status of the answer. */
    public int status() {
        return status;
    }

    /** Mimecast refused the account's credentials themselves (the OAuth client id and secret). */
    public static final class CredentialsRefused extends MimecastFailure {
        public CredentialsRefused(String message, int status) {
            super(message, status);
        }
    }

    /** A failure Mimecast marks as retryable: tried again after a backoff. */
    public static final class Retryable extends MimecastFailure {
        public Retryable(String message, int status, List<String> codes) {
            super(message, status, codes);
        }

        public Retryable(String message, int status, Throwable cause) {
            super(message, status, List.of(), cause);
        }
    }
}
