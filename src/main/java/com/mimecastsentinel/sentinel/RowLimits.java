package com.mimecastsentinel.sentinel;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What Log Analytics can hold: a row must fit one 1 MB request, and a field value over 64 KB would be cut short.
 * Rows over either limit go to dead-letter whole instead of arriving damaged.
 */
public final class RowLimits {
    public static final int MAX_FIELD_BYTES = 64 * 1024;

    private final int maxRowBytes;

    public RowLimits(int maxRowBytes) {
        this.maxRowBytes = maxRowBytes;
    }

    /**
     * Why the row ({@code size} bytes as JSON) cannot be delivered as it is, or null when it can (the row as a tree
     * is asked for only when it is over a limit).
     */
    public String violation(java.util.function.Supplier<ObjectNode> row, int size) {
        if (size <= MAX_FIELD_BYTES && size <= maxRowBytes) {
            return null; // no field is longer than its row as JSON: nearly every row ends here, without a field walk
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = row.get().fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            int bytes = value.isTextual() ? value.asText().getBytes(StandardCharsets.UTF_8).length
                    : value.isContainerNode() ? value.toString().getBytes(StandardCharsets.UTF_8).length : 0;
            if (bytes > MAX_FIELD_BYTES) {
                return "field " + field.getKey() + " is " + bytes + " bytes, over the 64 KB a Log Analytics value keeps";
            }
        }
        if (size > maxRowBytes) {
            return "row is " + size + " bytes, over the " + maxRowBytes + " bytes one ingestion request takes";
        }
        return null;
    }
}
