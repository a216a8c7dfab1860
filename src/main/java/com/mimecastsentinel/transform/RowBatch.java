package com.mimecastsentinel.transform;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The rows of one batch on their way to Sentinel: the body of a log type's route from its mapping step on (the rows
 * of one page, or of one chunk of a SIEM file). Each row is kept as the JSON it is sent as, with its stable id and
 * event time. A step that reads or changes a row gets it as a {@code Map} ({@link #get}), parsed when asked for;
 * what it changes there is what is sent. As text (a file, a Kafka record) a batch is NDJSON, one row a line.
 */
public final class RowBatch extends AbstractList<Map<String, Object>> implements RandomAccess {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> ROW = new TypeReference<>() {
    };

    /** One row: its JSON (a slice of a shared buffer) until a step asked for it as a map. */
    private static final class Row {
        byte[] buffer;
        int offset;
        int length;
        Map<String, Object> map;
        final String id;
        final long eventMillis;

        Row(byte[] buffer, int offset, int length, String id, long eventMillis) {
            this.buffer = buffer;
            this.offset = offset;
            this.length = length;
            this.id = id;
            this.eventMillis = eventMillis;
        }
    }

    private final List<Row> rows;

    public RowBatch() {
        this(16);
    }

    public RowBatch(int expectedRows) {
        rows = new ArrayList<>(expectedRows);
    }

    /** Adds a row given as its JSON ({@code length} bytes of {@code buffer} from {@code offset}, not copied). */
    public void add(byte[] buffer, int offset, int length, String id, long eventMillis) {
        rows.add(new Row(buffer, offset, length, id, eventMillis));
    }

    /** Adds a row given as a map (a step that made a new row); {@code id} is its stable id. */
    public void add(Map<String, Object> row, String id, long eventMillis) {
        Row added = new Row(null, 0, 0, id, eventMillis);
        added.map = row;
        rows.add(added);
    }

    /** The row as a map: changes to it are what is sent. */
    @Override
    public Map<String, Object> get(int index) {
        Row row = rows.get(index);
        if (row.map == null) {
            try {
                row.map = JSON.readValue(row.buffer, row.offset, row.length, ROW);
            } catch (IOException e) {
                throw new UncheckedIOException("a row's own JSON did not parse", e);
            }
            row.buffer = null; // from now on the map is the row
        }
        return row.map;
    }

    /** Replaces a row by another map; the id and event time stay the original row's. */
    @Override
    public Map<String, Object> set(int index, Map<String, Object> value) {
        Map<String, Object> before = get(index);
        rows.get(index).map = value;
        return before;
    }

    /** Removes a row; returns it as a map only if a step asked for it as one before (null otherwise). */
    @Override
    public Map<String, Object> remove(int index) {
        return rows.remove(index).map;
    }

    /** Keeps only the rows {@code keep} says yes to (by index), in one pass. */
    public int retain(java.util.function.IntPredicate keep) {
        List<Row> kept = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            if (keep.test(i)) {
                kept.add(rows.get(i));
            }
        }
        int removed = rows.size() - kept.size();
        rows.clear();
        rows.addAll(kept);
        return removed;
    }

    @Override
    public int size() {
        return rows.size();
    }

    /** The stable id of a row ({@code mimecastEventId}, or an indicator's id and version). */
    public String id(int index) {
        return rows.get(index).id;
    }

    /** The event time of a row (epoch milliseconds). */
    public long eventMillis(int index) {
        return rows.get(index).eventMillis;
    }

    /** The newest event time of the rows, or null when there are none. */
    public Instant newestEvent() {
        long newest = Long.MIN_VALUE;
        for (Row row : rows) {
            newest = Math.max(newest, row.eventMillis);
        }
        return rows.isEmpty() ? null : Instant.ofEpochMilli(newest);
    }

    /** Writes a row's JSON to {@code out}. */
    public void writeJson(int index, OutputStream out) throws IOException {
        Row row = rows.get(index);
        if (row.map == null) {
            out.write(row.buffer, row.offset, row.length);
        } else {
            JSON.writeValue(new NonClosing(out), row.map);
        }
    }

    /** The length of a row's JSON. */
    public int jsonLength(int index) {
        Row row = rows.get(index);
        if (row.map == null) {
            return row.length;
        }
        try {
            return JSON.writeValueAsBytes(row.map).length;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A row's JSON. */
    public byte[] json(int index) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(jsonLength(index));
        try {
            writeJson(index, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The rows {@code from} (inclusive) to {@code to} (exclusive) as a batch of their own (sharing their JSON). */
    public RowBatch slice(int from, int to) {
        RowBatch slice = new RowBatch(to - from);
        for (int i = from; i < to; i++) {
            slice.rows.add(rows.get(i));
        }
        return slice;
    }

    /** The rows as NDJSON: one row a line. */
    public byte[] toNdjson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, size() * 512));
        try {
            for (int i = 0; i < size(); i++) {
                writeJson(i, out);
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return "RowBatch of " + size() + " rows";
    }

    /** Jackson closes the stream it writes a value to: not ours. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
