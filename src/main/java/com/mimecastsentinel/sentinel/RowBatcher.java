package com.mimecastsentinel.sentinel;

import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Cuts rows into batches whose JSON array stays under the Logs Ingestion limit of 1 MB per request (uncompressed,
 * as the SDK measures it), so each batch is exactly one request. Rows are cut as they come ({@link Cutter}): one
 * batch is open at a time, whatever the size of the page or file they come from.
 */
public final class RowBatcher {
    /** The SDK splits above 1 MiB; stay a little below it (system property {@code mimecast.batch-bytes}: tests). */
    public static final int DEFAULT_MAX_BYTES = 1_000_000;

    private final ObjectMapper json;
    private final int maxBytes;
    private final RowLimits limits;

    /**
     * The rows of one request with their JSON as measured while cutting (the sink sends these bytes instead of
     * serializing the rows a second time, and the metrics count them), the newest event time among them and the
     * source position of the last row (a line of a file: where a restart resumes once the batch is acknowledged).
     * A row that came as JSON only is parsed into a tree when asked for (narrowing down a refused batch, a file
     * sink), not before.
     */
    public static final class Batch extends AbstractList<ObjectNode> {
        private long bytes = 2; // the array's brackets
        private final List<ObjectNode> rows = new ArrayList<>();
        private final List<byte[]> serialized = new ArrayList<>();
        private long newestMillis = Long.MIN_VALUE;
        private long position;

        void add(ObjectNode row, byte[] json, long eventMillis, long position) {
            rows.add(row);
            serialized.add(json);
            bytes += json.length + 1;
            newestMillis = Math.max(newestMillis, eventMillis);
            this.position = position;
        }

        @Override
        public ObjectNode get(int index) {
            ObjectNode row = rows.get(index);
            if (row == null) {
                row = parse(serialized.get(index));
                rows.set(index, row);
            }
            return row;
        }

        @Override
        public int size() {
            return rows.size();
        }

        /** Each row's JSON, in order. */
        public List<byte[]> serialized() {
            return serialized;
        }

        /** Uncompressed JSON array size; the last row's comma counted, so at most one byte over. */
        public long bytes() {
            return bytes;
        }

        /** The newest event time of its rows, or null for an empty batch. */
        public Instant newestEvent() {
            return isEmpty() ? null : Instant.ofEpochMilli(newestMillis);
        }

        /** Where its last row came from in the source (0 when the source has no positions). */
        public long position() {
            return position;
        }
    }

    /** Rows arriving one by one, cut into batches. */
    public final class Cutter {
        private final int maxRows;
        private final boolean logsIngestion;
        private Batch current = new Batch();

        private Cutter(int maxRows, boolean logsIngestion) {
            this.maxRows = maxRows;
            this.logsIngestion = logsIngestion;
        }

        /**
         * Adds a row, as a tree or as its JSON (a tree is serialized once here, to measure it against the limits
         * and the batch size alike); returns the batch this row closed because it did not fit any more, or null. A
         * row no request can carry goes to {@code unfit} with the reason instead.
         */
        public Batch add(ObjectNode row, byte[] json, long eventMillis, long position,
                Consumer<EventSink.Rejected> unfit) {
            byte[] bytes = json != null ? json : serialize(row);
            String violation = logsIngestion ? limits.violation(() -> row != null ? row : parse(bytes), bytes.length)
                    : null;
            if (violation != null) { // rare: parsing twice does not matter
                unfit.accept(new EventSink.Rejected(row != null ? row : parse(bytes), violation));
                return null;
            }
            Batch closed = null;
            boolean full = logsIngestion ? current.bytes + bytes.length + 1 > maxBytes : current.size() >= maxRows;
            if (!current.isEmpty() && full) {
                closed = current;
                current = new Batch();
            }
            current.add(row, bytes, eventMillis, position);
            return closed;
        }

        /** The last, partly filled batch, or null when there is none. */
        public Batch finish() {
            Batch last = current.isEmpty() ? null : current;
            current = new Batch();
            return last;
        }
    }

    public RowBatcher(ObjectMapper json, int maxBytes) {
        this.json = json;
        this.maxBytes = maxBytes;
        this.limits = new RowLimits(maxBytes - 2);
    }

    /** Batches for Logs Ingestion: at most 1 MB each, rows over Log Analytics' limits handed back as unfit. */
    public Cutter cutter() {
        return new Cutter(Integer.MAX_VALUE, true);
    }

    /** Batches of at most {@code maxRows} rows, for a destination that limits only that (Sentinel's STIX upload). */
    public Cutter cutter(int maxRows) {
        return new Cutter(maxRows, false);
    }

    /** Each row's JSON: as measured while cutting when {@code rows} is a whole batch, else serialized now. */
    public static List<byte[]> jsonOf(List<ObjectNode> rows, ObjectMapper json) {
        if (rows instanceof Batch batch) {
            return batch.serialized();
        }
        List<byte[]> serialized = new ArrayList<>(rows.size());
        for (ObjectNode row : rows) {
            try {
                serialized.add(json.writeValueAsBytes(row));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("row cannot be serialized", e);
            }
        }
        return serialized;
    }

    private static final ObjectMapper TREES = new ObjectMapper();

    private static ObjectNode parse(byte[] json) {
        try {
            return (ObjectNode) TREES.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("a row's own JSON did not parse", e);
        }
    }

    private byte[] serialize(ObjectNode row) {
        try {
            return json.writeValueAsBytes(row);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("row cannot be serialized", e);
        }
    }
}
