package com.mimecastsentinel.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.mimecastsentinel.deadletter.DeadLetters;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * The step after a Mimecast call (the endpoint hands over the raw stream, whatever its status: no stream cache, no
 * exception of camel-http's, which would read an error's body whole): the answer within a deadline and a size.
 * An API answer is read whole (a page, a file of API 1.0, the token), at most {@code deadline} long and
 * MIMECAST_MAX_ANSWER_BYTES big, and the connection is given back; a SIEM batch file stays a stream for the split
 * that reads it, its reads bounded by the deadline together (its size by the file reader's limits).
 *
 * <ul>
 * <li>A status that is not 2xx fails the call with camel-http's {@link HttpOperationFailedException} (what the retry
 * decisions read: the status, the headers), carrying at most {@value #ERROR_BODY} bytes of the body; a file URL
 * that answers 403 or 404 expired instead (the variable {@value #FILE_EXPIRED}).</li>
 * <li>An answer over the size: a JSON answer (a page) fails the call, naming the setting (a page cannot be passed
 * over without losing its events, nor its next token read); a file of API 1.0 is kept as what its dead letter needs
 * (its first bytes as the body, its size and SHA-256 in the variable {@value #TOO_LARGE}), so that the source passes
 * it over and moves on with the answer's next token.</li>
 * <li>A compressed body (the client asks for none, so only an answer that compresses anyway) is decoded here,
 * within the same bounds.</li>
 * </ul>
 */
public final class MimecastAnswer implements Processor {
    /** Set when a pre-signed file URL answered 403 or 404: it expired. */
    public static final String FILE_EXPIRED = "mimecastFileExpired";
    /** Set (to a {@link TooLarge}) when an answer that is not JSON was bigger than MIMECAST_MAX_ANSWER_BYTES. */
    public static final String TOO_LARGE = "mimecastAnswerTooLarge";
    /** The most of an error answer's body kept (for the failure's message). */
    static final int ERROR_BODY = 4096;

    /** What was read of an answer too large to keep: its size and the SHA-256 of what was read. */
    public record TooLarge(long size, String sha256, boolean whole) {
    }

    private final Duration deadline;
    private final boolean whole;
    private final int maxBytes;

    private MimecastAnswer(Duration deadline, boolean whole, int maxBytes) {
        this.deadline = deadline;
        this.whole = whole;
        this.maxBytes = maxBytes;
    }

    /** An API answer, read whole within {@code deadline}, at most {@code maxBytes}. */
    public static MimecastAnswer whole(Duration deadline, int maxBytes) {
        return new MimecastAnswer(deadline, true, maxBytes);
    }

    /** A file, read as it is used; its reads together within {@code deadline}. */
    public static MimecastAnswer stream(Duration deadline) {
        return new MimecastAnswer(deadline, false, Integer.MAX_VALUE);
    }

    @Override
    public void process(Exchange exchange) throws IOException, HttpOperationFailedException {
        exchange.removeVariable(TOO_LARGE); // the call's exchange is a copy of its caller's: only this answer's
        InputStream body = exchange.getMessage().getBody(InputStream.class);
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
        String path = exchange.getMessage().getHeader(Exchange.HTTP_PATH, "a file", String.class);
        InputStream bounded = body == null ? InputStream.nullInputStream()
                : new DeadlineInputStream(body, deadline, "Mimecast " + path);
        String encoding = exchange.getMessage().getHeader("Content-Encoding", "", String.class).trim();
        if (body != null && (encoding.equalsIgnoreCase("gzip") || encoding.equalsIgnoreCase("x-gzip"))) {
            bounded = new java.util.zip.GZIPInputStream(bounded, 1 << 16);
        }
        if (status < 200 || status > 299) {
            try (InputStream error = bounded) {
                if (!whole && (status == 403 || status == 404)) {
                    exchange.setVariable(FILE_EXPIRED, true);
                    exchange.getMessage().setBody(null);
                    return;
                }
                throw failed(exchange, status, new String(error.readNBytes(ERROR_BODY), StandardCharsets.UTF_8));
            }
        }
        if (!whole) {
            exchange.getMessage().setBody(bounded);
            return;
        }
        try (StreamCapture answer = new StreamCapture(bounded, maxBytes)) {
            byte[] scratch = new byte[1 << 16];
            while (answer.read(scratch, 0, scratch.length) >= 0 && !answer.overflowed()) {
                // read up to one byte past the bound
            }
            if (!answer.overflowed()) {
                exchange.getMessage().setBody(answer.prefix());
                return;
            }
            String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, "", String.class);
            if (contentType.contains("json")) {
                throw new MimecastFailure("Mimecast " + path + " answered more than MIMECAST_MAX_ANSWER_BYTES ("
                        + maxBytes + " bytes): lower MIMECAST_PAGE_SIZE or raise MIMECAST_MAX_ANSWER_BYTES", status);
            }
            boolean all = answer.drain(4L * maxBytes);
            byte[] prefix = answer.prefix();
            exchange.getMessage().setBody(prefix.length <= DeadLetters.MAX_CONTENT ? prefix
                    : java.util.Arrays.copyOf(prefix, DeadLetters.MAX_CONTENT));
            exchange.setVariable(TOO_LARGE, new TooLarge(answer.size(), answer.sha256(), all));
        }
    }

    /**
     * The headers of an answer, as data (a map whose keys ignore case): not Camel's own, not the request's
     * signature.
     */
    static Map<String, String> headers(Message answer) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        answer.getHeaders().forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (value != null && !lower.startsWith("camel") && !lower.startsWith("org.apache.camel")
                    && !MimecastAuth.signs(name)) {
                headers.put(name, value.toString());
            }
        });
        return headers;
    }

    /** The failure of a call whose answer was not 2xx, as camel-http would have thrown it, with a bounded body. */
    private static HttpOperationFailedException failed(Exchange exchange, int status, String body) {
        Map<String, String> headers = headers(exchange.getMessage());
        String to = exchange.getProperty(Exchange.TO_ENDPOINT, "", String.class);
        String uri = to.replaceAll("\\?.*", "") + exchange.getMessage().getHeader(Exchange.HTTP_PATH, "", String.class);
        String file = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        return new HttpOperationFailedException(file != null ? FileUrls.withoutQuery(file) : uri, status,
                exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_TEXT, "", String.class), null, headers, body);
    }
}
