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

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The rows of one batch on their way to Sentinel: the body of a log type's route from its mapping step on (the rows
 * of one page, or of one chunk of a SIEM file). Each row is kept as the JSON it is sent as, with its stable id and
 * event time. A step that reads or changes a row gets it as a {@code Map} ({@link #get}), parsed when asked for;
 * what it changes there is what is sent. As text (a file, a Kafka record) a batch is NDJSON, one row a line. The
 * sink may send a batch of its own made from it with one column more ({@link #withColumn}: mimecastAccount).
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
    /**
     * A column every row carries besides its own ({@link #withColumn}), as the JSON a row gets before its closing
     * brace: {@code ,"name":"value"}; null for none.
     */
    private byte[] column;
    private String columnName;
    private String columnValue;

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

    /**
     * These rows, each with one more column, a string (the {@code sentinel} sink's {@code mimecastAccount}): a batch
     * of its own sharing their JSON, written with the column before each row's closing brace. This batch is left as
     * it is.
     */
    public RowBatch withColumn(String name, String value) {
        RowBatch with = slice(0, size());
        JsonStringEncoder quote = JsonStringEncoder.getInstance();
        with.column = (",\"" + new String(quote.quoteAsString(name)) + "\":\"" + new String(quote.quoteAsString(value))
                + "\"").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        with.columnName = name;
        with.columnValue = value;
        return with;
    }

    /**
     * The JSON of a row a step took as a map, with the batch's column: the map's own value of that name (a step that
     * set it) gives way to the batch's.
     */
    private byte[] mapJson(Row row) throws IOException {
        if (column != null && row.map.containsKey(columnName)) {
            Map<String, Object> with = new LinkedHashMap<>(row.map);
            with.put(columnName, columnValue);
            return JSON.writeValueAsBytes(with);
        }
        return JSON.writeValueAsBytes(row.map);
    }

    /** Writes a row's JSON to {@code out}. */
    public void writeJson(int index, OutputStream out) throws IOException {
        Row row = rows.get(index);
        if (column == null && row.map == null) {
            out.write(row.buffer, row.offset, row.length);
        } else if (column == null) {
            JSON.writeValue(new NonClosing(out), row.map);
        } else {
            byte[] own = row.map == null ? null : mapJson(row);
            if (own != null && row.map.containsKey(columnName)) {
                out.write(own); // the column is in it already
                return;
            }
            byte[] buffer = own != null ? own : row.buffer;
            int offset = own != null ? 0 : row.offset;
            int length = own != null ? own.length : row.length;
            if (length < 2 || buffer[offset + length - 1] != '}') {
                throw new IllegalStateException("a row is not a JSON object ending in '}': no column can be added");
            }
            out.write(buffer, offset, length - 1); // all but its closing brace
            out.write(column, length > 2 ? 0 : 1, length > 2 ? column.length : column.length - 1); // {} has no comma
            out.write('}');
        }
    }

    /** The length of a row's JSON. */
    public int jsonLength(int index) {
        Row row = rows.get(index);
        int length;
        if (row.map == null) {
            length = row.length;
        } else {
            try {
                length = mapJson(row).length;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (column != null && row.map.containsKey(columnName)) {
                return length; // the column is in it already
            }
        }
        return column == null ? length : length + column.length - (length > 2 ? 0 : 1);
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
        slice.column = column;
        slice.columnName = columnName;
        slice.columnValue = columnValue;
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
