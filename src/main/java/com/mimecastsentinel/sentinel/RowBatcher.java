package com.mimecastsentinel.sentinel;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Cuts rows into batches whose JSON array stays under the Logs Ingestion limit of 1 MB per request (uncompressed,
 * as the SDK measures it), so each batch is exactly one request.
 */
public final class RowBatcher {
    /** The SDK splits above 1 MiB; stay a little below it. */
    public static final int DEFAULT_MAX_BYTES = 1_000_000;

    private final ObjectMapper json;
    private final int maxBytes;
    private final RowLimits limits;

    /** The batches, and the rows no batch can carry (with the reason), for the dead-letter location. */
    public record Split(List<Batch> batches, List<EventSink.Rejected> unfit) {
    }

    /**
     * The rows of one request with their JSON as measured while cutting: the sink sends these bytes instead of
     * serializing the rows a second time, and the metrics count them.
     */
    public static final class Batch extends ArrayList<ObjectNode> {
        private long bytes = 2; // the array's brackets
        private final List<byte[]> serialized = new ArrayList<>();

        void add(ObjectNode row, byte[] json) {
            add(row);
            serialized.add(json);
            bytes += json.length + 1;
        }

        /** Each row's JSON, in order (valid while the rows are not changed). */
        public List<byte[]> serialized() {
            return serialized;
        }

        /** Uncompressed JSON array size; the last row's comma counted, so at most one byte over. */
        public long bytes() {
            return bytes;
        }
    }

    public RowBatcher(ObjectMapper json, int maxBytes) {
        this.json = json;
        this.maxBytes = maxBytes;
        this.limits = new RowLimits(maxBytes - 2);
    }

    /** Each row is serialized once here, to measure it against the limits and the batch size alike. */
    public Split split(List<ObjectNode> rows) {
        return split(null, rows);
    }

    /** As {@link #split(List)}, filling {@code start} (a batch held back earlier) before opening new ones. */
    public Split split(Batch start, List<ObjectNode> rows) {
        List<Batch> batches = new ArrayList<>();
        List<EventSink.Rejected> unfit = new ArrayList<>();
        Batch current = start != null ? start : new Batch();
        for (ObjectNode row : rows) {
            byte[] json = serialize(row);
            int serialized = json.length;
            String violation = limits.violation(row, serialized);
            if (violation != null) {
                unfit.add(new EventSink.Rejected(row, violation));
                continue;
            }
            int rowSize = serialized + 1; // and its comma
            if (!current.isEmpty() && current.bytes + rowSize > maxBytes) {
                batches.add(current);
                current = new Batch();
            }
            current.add(row, json);
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return new Split(batches, unfit);
    }

    private byte[] serialize(ObjectNode row) {
        try {
            return json.writeValueAsBytes(row);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("row cannot be serialized", e);
        }
    }
}
