package com.mimecastsentinel.sentinel;

/** The destination did not accept a batch; the checkpoint stays where it was. */
public class SinkException extends RuntimeException {
    public SinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
