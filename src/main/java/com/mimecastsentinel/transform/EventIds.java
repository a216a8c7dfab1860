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
    /** Making a digest per event showed in profiles; a hasher is not thread-safe, so one per thread. */
    private static final ThreadLocal<Hasher> HASHER = ThreadLocal.withInitial(Hasher::new);

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private EventIds() {
    }

    /**
     * @param idField   the record's id field, or null when the type has none
     * @param keyFields fields hashed when the id field is absent or empty
     */
    public static String of(JsonNode record, String idField, List<String> keyFields) {
        if (keyFields.equals(List.of("*")) && !hasId(record.get(idField == null ? "" : idField))) {
            return hash(canonical(record));
        }
        return ofValues(record::get, idField, keyFields);
    }

    /**
     * The same id from the values of the id and key fields alone, as a streaming reader captured them: each the
     * text of a JSON string, or the node of any other JSON value (null when the field is missing).
     */
    public static String ofValues(java.util.function.Function<String, Object> values, String idField,
            List<String> keyFields) {
        return ofValues(values, idField, keyFields, HASHER.get());
    }

    /** As {@link #ofValues(java.util.function.Function, String, List)}, hashing with the caller's own hasher. */
    static String ofValues(java.util.function.Function<String, Object> values, String idField, List<String> keyFields,
            Hasher hasher) {
        if (idField != null) {
            Object id = values.apply(idField);
            if (id instanceof String text && !text.isEmpty()) {
                return text;
            }
            if (id instanceof JsonNode node && hasId(node)) {
                return node.asText();
            }
        }
        StringBuilder key = hasher.key;
        key.setLength(0);
        for (int i = 0; i < keyFields.size(); i++) {
            if (i > 0) {
                key.append(SEPARATOR);
            }
            Object value = values.apply(keyFields.get(i));
            if (value instanceof String text) {
                key.append(text);
            } else if (value instanceof JsonNode node && !node.isNull()) {
                key.append(node.isValueNode() ? node.asText() : node.toString());
            }
        }
        String id = hasher.hash(key);
        if (key.length() > Hasher.KEPT) {
            key.setLength(0);
            key.trimToSize(); // a huge key field's text is not kept by the thread
        }
        return id;
    }

    private static boolean hasId(JsonNode id) {
        return id != null && !id.isNull() && !id.asText().isEmpty();
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
        return HASHER.get().hash(text);
    }

    /**
     * What hashing needs, kept by one thread from event to event: the digest, the key's text and its UTF-8 bytes
     * (building them anew for each event made most of the mapping's garbage).
     */
    static final class Hasher {
        /** The longest text whose bytes are kept for the next: key fields' values, not whole records. */
        private static final int KEPT = 16 * 1024;
        private final MessageDigest sha256 = newDigest();
        private final StringBuilder key = new StringBuilder(256);
        private byte[] bytes = new byte[256];

        /** The first 32 hex digits of the SHA-256 of the text as UTF-8. */
        String hash(CharSequence text) {
            if (asciiBytes(text)) {
                sha256.update(bytes, 0, text.length());
            } else {
                // other text, or a whole record's (the "*" key): encoded as it is, its bytes not kept afterwards
                sha256.update(text.toString().getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha256.digest(), 0, 16);
        }

        /** Whether the text is ASCII of at most {@link #KEPT} characters, its bytes then in {@code bytes}. */
        private boolean asciiBytes(CharSequence text) {
            int length = text.length();
            if (length > KEPT) {
                return false;
            }
            if (bytes.length < length) {
                bytes = new byte[Math.max(length, 2 * bytes.length)];
            }
            for (int i = 0; i < length; i++) {
                char c = text.charAt(i);
                if (c >= 0x80) {
                    return false;
                }
                bytes[i] = (byte) c;
            }
            return true;
        }
    }
}
