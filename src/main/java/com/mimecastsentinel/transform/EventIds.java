package com.mimecastsentinel.transform;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Stable event ids: the record's own id field where it has one; otherwise the first 32 hex digits (128 bits) of
 * the SHA-256 of the key fields' values, joined with U+001F, a missing field counting as empty text. The same
 * record always gives the same id, on any machine and after any restart.
 */
public final class EventIds {
    private static final char SEPARATOR = '\u001f';
    /** Looking a digest up per event showed in profiles; a digest is not thread-safe, so one per thread. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private EventIds() {
    }

    /**
     * @param idField   the record's id field, or null when the type has none
     * @param keyFields fields hashed when the id field is absent or empty
     */
    public static String of(JsonNode record, String idField, List<String> keyFields) {
        if (idField != null) {
            JsonNode id = record.get(idField);
            if (id != null && !id.isNull() && !id.asText().isEmpty()) {
                return id.asText();
            }
        }
        if (keyFields.equals(List.of("*"))) {
            return hash(canonical(record));
        }
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < keyFields.size(); i++) {
            if (i > 0) {
                key.append(SEPARATOR);
            }
            JsonNode value = record.get(keyFields.get(i));
            if (value != null && !value.isNull()) {
                key.append(value.isValueNode() ? value.asText() : value.toString());
            }
        }
        return hash(key.toString());
    }

    private static String canonical(JsonNode node) {
        if (!node.isObject()) {
            return node.toString();
        }
        java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
        node.fields().forEachRemaining(e -> sorted.put(e.getKey(), canonical(e.getValue())));
        StringBuilder text = new StringBuilder("{");
        sorted.forEach((k, v) -> text.append(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance()
                .quoteAsString(k)).append(':').append(v).append(','));
        return text.append('}').toString();
    }

    static String hash(String text) {
        byte[] digest = SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 16);
    }
}
