package com.mimecastsentinel.deadletter;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.logging.Secrets;
import com.mimecastsentinel.transform.EventIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where input that cannot be delivered goes, so that nothing is lost silently and the rest flows on: one JSON
 * document per item with the log type, the reason, the time, where it came from and its content (text, or base64
 * for bytes that are not UTF-8). The content is kept up to {@value #MAX_CONTENT} bytes (every row Sentinel can take
 * fits whole); of bigger input, its first bytes, with the size and SHA-256 of the whole ({@code contentBytes},
 * {@code contentSha256}, {@code contentTruncated}), so a dead letter never needs the whole input in memory.
 * Documents are named {@code <logType>/<digest>.json} after the item, its source and reason: an item dead-lettered
 * again (a run that failed after reading it, read again) stays one document.
 */
public final class DeadLetters {
    /** Its name in the registry. */
    public static final String BEAN = "deadLetters";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    /** The most of an item's content a dead letter keeps: 1 MiB, more than a row of Sentinel's can be. */
    public static final int MAX_CONTENT = 1 << 20;

    /** Where the documents are written: a blob container folder or a directory. */
    public interface Store {
        /** Writes a new document; false when one of that name is there already (it is left as it is). */
        boolean write(String name, byte[] document);

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

    /** Records raw bytes (a line, a small file), their first {@value #MAX_CONTENT} bytes when there are more. */
    public void put(String logType, String reason, String source, byte[] raw) {
        byte[] kept = raw.length <= MAX_CONTENT ? raw : Arrays.copyOf(raw, MAX_CONTENT);
        put(logType, reason, source, kept, raw.length, sha256(raw));
    }

    /** Records text (a JSON object, a row). */
    public void put(String logType, String reason, String source, String raw) {
        put(logType, reason, source, raw.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Records input known only in part: its first bytes ({@code prefix}, cut to {@value #MAX_CONTENT}), with the
     * size and SHA-256 (hex) of the whole.
     */
    public void put(String logType, String reason, String source, byte[] prefix, long size, String sha256) {
        byte[] kept = prefix.length <= MAX_CONTENT ? prefix : Arrays.copyOf(prefix, MAX_CONTENT);
        boolean truncated = size > kept.length;
        String text = utf8(truncated ? wholeCharacters(kept) : kept);
        write(logType, reason, source, text != null ? "utf-8" : "base64",
                text != null ? text : Base64.getEncoder().encodeToString(kept), size, sha256, truncated);
    }

    public long count() {
        return written.get();
    }

    public String describe() {
        return store.describe();
    }

    private void write(String logType, String reason, String source, String encoding, String content, long size,
            String sha256, boolean truncated) {
        Instant now = clock.instant();
        ObjectNode document = json.createObjectNode();
        // the reason and source are ours (an exception's message, a URL): masked as logs are; the content is the
        // input as it came, with only the connector's own secret values masked should they ever be in it
        document.put("logType", logType).put("reason", Secrets.mask(reason)).put("time", now.toString())
                .put("source", Secrets.mask(source)).put("contentEncoding", encoding)
                .put("content", Secrets.maskValues(content)).put("contentBytes", size).put("contentSha256", sha256)
                .put("contentTruncated", truncated);
        // named by what it holds: the same item dead-lettered again (a run that failed after it read it again) is
        // one document
        String name = logType + "/" + sha256((source + "\n" + reason + "\n" + sha256).getBytes(StandardCharsets.UTF_8))
                .substring(0, 40) + ".json";
        boolean added;
        try {
            added = store.write(name, json.writeValueAsBytes(document));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (!added) {
            LOG.info("{}: {} ({}) was dead-lettered before: {}", logType, source, reason, name);
            return;
        }
        written.incrementAndGet();
        onWritten.accept(logType);
        LOG.warn("{}: dead-lettered {} ({}) to {}", logType, source, reason, name); // masked by the log appenders
    }

    /** A prefix cut where it was may end inside a character: that character is left out. */
    private static byte[] wholeCharacters(byte[] prefix) {
        int end = prefix.length;
        int back = 0;
        while (back < 3 && end - back > 0 && (prefix[end - back - 1] & 0xC0) == 0x80) {
            back++; // continuation bytes
        }
        if (end - back > 0 && (prefix[end - back - 1] & 0xC0) == 0xC0) {
            int lead = prefix[end - back - 1] & 0xFF;
            int needed = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
            if (back < needed) {
                end = end - back - 1; // the last character is not whole
            }
        }
        return end == prefix.length ? prefix : Arrays.copyOf(prefix, end);
    }

    private static String sha256(byte[] raw) {
        return java.util.HexFormat.of().formatHex(EventIds.newDigest().digest(raw));
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
