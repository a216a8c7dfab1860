package com.mimecastsentinel.source;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The step after a Mimecast call (the endpoint hands over the raw stream: no stream cache): the answer within a
 * deadline. An API answer is read whole (a page, a file of API 1.0), at most {@code deadline} long, and the connection
 * is given back; a SIEM batch file stays a stream for the split that reads it, its reads bounded by the deadline
 * together.
 */
public final class MimecastAnswer implements Processor {
    private final Duration deadline;
    private final boolean whole;

    private MimecastAnswer(Duration deadline, boolean whole) {
        this.deadline = deadline;
        this.whole = whole;
    }

    /** An API answer, read whole within {@code deadline}. */
    public static MimecastAnswer whole(Duration deadline) {
        return new MimecastAnswer(deadline, true);
    }

    /** A file, read as it is used; its reads together within {@code deadline}. */
    public static MimecastAnswer stream(Duration deadline) {
        return new MimecastAnswer(deadline, false);
    }

    /** Set when a pre-signed file URL answered 403 or 404: it expired. */
    public static final String FILE_EXPIRED = "mimecastFileExpired";

    @Override
    public void process(Exchange exchange) throws IOException {
        InputStream body = exchange.getMessage().getBody(InputStream.class);
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
        if (!whole && (status == 403 || status == 404)) {
            if (body != null) {
                body.close();
            }
            exchange.setVariable(FILE_EXPIRED, true);
            exchange.getMessage().setBody(null);
            return;
        }
        if (body == null) {
            exchange.getMessage().setBody(new byte[0]);
            return;
        }
        String what = "Mimecast " + exchange.getMessage().getHeader(Exchange.HTTP_PATH, "a file", String.class);
        InputStream bounded = new DeadlineInputStream(body, deadline, what);
        if (!whole) {
            exchange.getMessage().setBody(bounded);
            return;
        }
        try (bounded) {
            exchange.getMessage().setBody(bounded.readAllBytes());
        }
    }
}
