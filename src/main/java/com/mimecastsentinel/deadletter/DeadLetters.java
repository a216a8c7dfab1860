package com.mimecastsentinel.deadletter;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.logging.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where input that cannot be delivered goes, so that nothing is lost silently and the rest flows on: one JSON
 * document per item with the log type, the reason, the time, where it came from and the raw content (text, or
 * base64 for bytes that are not UTF-8). Documents are named {@code <logType>/<time>-<id>.json}.
 */
public final class DeadLetters {
    /** Its name in the registry. */
    public static final String BEAN = "deadLetters";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    /** Where the documents are written: a blob container folder or a directory. */
    public interface Store {
        void write(String name, byte[] document);

        String describe();
    }

    private final Store store;
    private final Clock clock;
    private final ObjectMapper json;
    private final AtomicLong written = new AtomicLong();
    private final java.util.function.Consumer<String> onWritten;

    /** @param onWritten told the log type of every document written (metrics) */
    public DeadLetters(Store store, Clock clock, ObjectMapper json, java.util.function.Consumer<String> onWritten) {
        this.onWritten = onWritten;
        this.store = store;
        this.clock = clock;
        this.json = json.copy().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** Records raw bytes (a file that cannot be read). */
    public void put(String logType, String reason, String source, byte[] raw) {
        String text = utf8(raw);
        write(logType, reason, source, text != null ? "utf-8" : "base64",
                text != null ? text : Base64.getEncoder().encodeToString(raw));
    }

    /** Records text (a line, a JSON object). */
    public void put(String logType, String reason, String source, String raw) {
        write(logType, reason, source, "utf-8", raw);
    }

    public long count() {
        return written.get();
    }

    public String describe() {
        return store.describe();
    }

    private void write(String logType, String reason, String source, String encoding, String content) {
        Instant now = clock.instant();
        ObjectNode document = json.createObjectNode();
        // the reason and source are ours (an exception's message, a URL): masked as logs are; the content is the
        // input as it came, with only the connector's own secret values masked should they ever be in it
        document.put("logType", logType).put("reason", Secrets.mask(reason)).put("time", now.toString())
                .put("source", Secrets.mask(source)).put("contentEncoding", encoding)
                .put("content", Secrets.maskValues(content));
        String name = logType + "/" + now.toString().replace(':', '-') + "-" + UUID.randomUUID() + ".json";
        try {
            store.write(name, json.writeValueAsBytes(document));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        written.incrementAndGet();
        onWritten.accept(logType);
        LOG.warn("{}: dead-lettered {} ({}) to {}", logType, source, reason, name); // masked by the log appenders
    }

    private static String utf8(byte[] raw) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
