package com.mimecastsentinel.sentinel;

import java.nio.charset.StandardCharsets;
import java.util.Map;


/**
 * What Log Analytics can hold: a row must fit one 1 MB request, and a field value over 64 KB would be cut short.
 * Rows over either limit go to dead-letter whole instead of arriving damaged.
 */
public final class RowLimits {
    public static final int MAX_FIELD_BYTES = 64 * 1024;

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private final int maxRowBytes;

    public RowLimits(int maxRowBytes) {
        this.maxRowBytes = maxRowBytes;
    }

    /**
     * Why the row ({@code size} bytes as JSON) cannot be delivered as it is, or null when it can (the row as a tree
     * is asked for only when it is over a limit).
     */
    public String violation(java.util.function.Supplier<Map<String, Object>> row, int size) {
        if (size <= MAX_FIELD_BYTES && size <= maxRowBytes) {
            return null; // no field is longer than its row as JSON: nearly every row ends here, without a field walk
        }
        for (Map.Entry<String, Object> field : row.get().entrySet()) {
            Object value = field.getValue();
            int bytes = value instanceof String text ? text.getBytes(StandardCharsets.UTF_8).length
                    : value instanceof Map || value instanceof java.util.Collection ? json(value).length : 0;
            if (bytes > MAX_FIELD_BYTES) {
                return "field " + field.getKey() + " is " + bytes + " bytes, over the 64 KB a Log Analytics value keeps";
            }
        }
        if (size > maxRowBytes) {
            return "row is " + size + " bytes, over the " + maxRowBytes + " bytes one ingestion request takes";
        }
        return null;
    }

    private static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
