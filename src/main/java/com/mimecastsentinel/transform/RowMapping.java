package com.mimecastsentinel.transform;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.run.BatchScope;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * A log type's mapping from Mimecast records to the rows of its Sentinel table, declared in its route file (a bean
 * of this class, named {@code <logType>-mapping}) and used as the first step of its rows route: the body, the records
 * of a page or the lines of a SIEM file's chunk, becomes a {@link RowBatch}. What the declaration says:
 * <ul>
 * <li>{@code columns}: the table's columns with their types ({@code name:type}, string when no type is given). A
 * field is written to its column in the column's type (Mimecast times as ISO-8601 UTC for {@code datetime}, arrays
 * and objects as JSON text for {@code string}); a field the table does not declare, or whose value does not fit
 * its column's type, goes into {@code AdditionalFields} (dynamic), never dropped. Without {@code columns} every
 * field is copied as it is (a log type of your own).</li>
 * <li>{@code renames}: field to column ({@code _offset} → {@code offset}); {@code flatten}: object fields whose
 * leaves become columns named {@code <field>_<key>_<key>} ({@code :} → {@code _}).</li>
 * <li>{@code time}: the event time field (the run's days, the checkpoint); {@code timeGenerated}: {@code ingestion}
 * (the row carries no TimeGenerated: the data collection rule stamps the ingestion time, as the official solution
 * does) or {@code event} (TimeGenerated is the event time).</li>
 * <li>{@code id} / {@code key}: {@code mimecastEventId}, the record's id field or a hash of the key fields;
 * {@code valueField} → {@code valueColumn} through {@code values}: a column looked up from a field (SIEM
 * {@code type} → {@code Logtype}).</li>
 * </ul>
 *
 * <p>One implementation for every path: rows are written straight from the JSON tokens of a record (a line's bytes,
 * or a page record's tree); only what a row needs converted is read as a value. Rows outside the run's days are left
 * out; a line that is no JSON object goes to the dead letters with its reason.
 */
public class RowMapping implements Processor, CamelContextAware {
    public static final String TIME_GENERATED = "TimeGenerated";
    public static final String EVENT_ID = "mimecastEventId";
    public static final String ADDITIONAL_FIELDS = "AdditionalFields";
    /**
     * The account a row came from: the {@code sentinel} sink adds it where the destination's tables declare it
     * (accounts sharing them). A record's own field of that name goes to AdditionalFields.
     */
    public static final String ACCOUNT = "mimecastAccount";

    /** A column's type, as Log Analytics names it. */
    enum ColumnType {
        STRING, DATETIME, REAL, LONG, INT, BOOLEAN, DYNAMIC, GUID;

        static ColumnType of(String name) {
            for (ColumnType type : values()) {
                if (type.name().equalsIgnoreCase(name.trim())) {
                    return type;
                }
            }
            throw new IllegalArgumentException("a column type is one of string, datetime, real, long, int, boolean, "
                    + "dynamic, guid; not '" + name + "'");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private CamelContext camelContext;
    private DeadLetters deadLetters;
    private Clock clock = Clock.systemUTC();

    private String time;
    private String timeMillis;
    private String id;
    private List<String> key = List.of();
    private String valueField;
    private String valueColumn;
    private Map<String, String> values = new LinkedHashMap<>();
    private Map<String, ColumnType> columns;
    private Map<String, String> renames = new LinkedHashMap<>();
    private java.util.Set<String> flatten = java.util.Set.of();
    private boolean eventTimeGenerated;

    /** What a record's row needs read as values, by field name. */
    /**
     * The fields with a role (key, value, id, time), each with its slot among a row's captured values; worked out
     * once, null until then.
     */
    private volatile Map<String, Integer> roles;

    @Override
    public void process(Exchange exchange) throws Exception {
        Object body = exchange.getMessage().getBody();
        BatchScope run = BatchScope.of(exchange);
        RowBatch rows;
        if (body instanceof RowBatch already) {
            rows = already;
        } else if (body instanceof Lines lines) {
            rows = fromLines(lines, exchange, run);
        } else if (body instanceof List<?> records) {
            rows = fromRecords(records, run);
        } else {
            throw new IllegalArgumentException("the mapping takes a page's records or a file's lines, not "
                    + (body == null ? "nothing" : body.getClass().getName()));
        }
        exchange.getMessage().setBody(rows);
    }

    /** The rows of records given as trees (a page) or maps. */
    RowBatch fromRecords(List<?> records, BatchScope run) throws IOException {
        Writer writer = new Writer(records.size());
        for (Object record : records) {
            JsonNode tree = record instanceof JsonNode node ? node : JSON.valueToTree(record);
            if (!tree.isObject()) {
                continue;
            }
            String wholeRecordId = key.equals(List.of("*")) ? EventIds.of(tree, id, key) : null;
            try (JsonParser in = tree.traverse(JSON)) {
                writer.write(in, wholeRecordId, run);
            }
        }
        return writer.finish();
    }

    /** The rows of a file's lines; a line that is not a JSON object is dead-lettered with its reason. */
    RowBatch fromLines(Lines lines, Exchange exchange, BatchScope run) throws IOException {
        if (key.equals(List.of("*"))) {
            throw new IllegalStateException("a row of all fields' hash needs the record as a tree: not for lines");
        }
        Writer writer = new Writer(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            byte[] buffer = lines.buffer(i);
            int start = lines.start(i);
            int length = lines.length(i);
            if (isBlank(buffer, start, length)) {
                continue;
            }
            boolean written;
            String problem = null;
            try (JsonParser in = JSON.createParser(buffer, start, length)) {
                written = writer.write(in, null, run);
            } catch (IOException malformed) {
                written = false; // the writer already dropped what it wrote of the row
                problem = malformed instanceof com.fasterxml.jackson.core.JsonProcessingException json
                        ? json.getOriginalMessage() : malformed.toString();
            }
            if (!written) {
                badLine(exchange, run, lines, i, problem);
            }
        }
        return writer.finish();
    }

    private void badLine(Exchange exchange, BatchScope run, Lines lines, int index, String problem) {
        byte[] line = Arrays.copyOfRange(lines.buffer(index), lines.start(index),
                lines.start(index) + lines.length(index));
        String logType = run != null ? run.logType : exchange.getFromRouteId();
        if (run != null) {
            run.skipped.increment();
        }
        String text = utf8(line);
        String why = problem == null ? "" : ": " + (problem.length() > 300 ? problem.substring(0, 300) + "…" : problem);
        deadLetters().put(logType, "line " + lines.lineNumber(index) + (text == null ? " is not valid UTF-8"
                : " is not a JSON object") + why, lines.file(index), line);
    }

    private static boolean isBlank(byte[] buffer, int start, int length) {
        for (int i = start; i < start + length; i++) {
            byte b = buffer[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Writes the rows of one batch into buffers of about {@value #SEGMENT} bytes each (none big enough to be a
     * humongous object of the garbage collector: those go straight to the old generation and grow the heap); the
     * batch refers to slices of them.
     */
    private final class Writer {
        private final java.util.List<Buffer> segments = new java.util.ArrayList<>();
        private Buffer out = new Buffer();
        /** The values of the fields with a role (id, key, time, value) of the row being written, by their slot. */
        private Object[] captured;
        private Map<String, Integer> slots;
        /** The batch's own hasher for the ids (a thread-local lookup per row showed in profiles). */
        private final EventIds.Hasher hasher = new EventIds.Hasher();
        /**
         * The row's AdditionalFields, written as they come into a buffer of their own (one generator for the batch,
         * an object per row) and appended to the row at its end.
         */
        private JsonGenerator extra;
        private JsonGenerator rowGenerator;
        private Buffer rowGeneratorOut;
        private boolean extraOpen;
        private int extraFields;
        private final Buffer extraBytes = new Buffer(4096);
        private int[] segmentOf;
        private int[] starts;
        private int[] lengths;
        private String[] ids;
        private long[] times;
        private int count;

        Writer(int expected) {
            int size = Math.max(8, expected);
            segmentOf = new int[size];
            starts = new int[size];
            lengths = new int[size];
            ids = new String[size];
            times = new long[size];
        }

        /** Writes the record {@code in} is at as a row; false when it holds no JSON object. Malformed JSON throws. */
        boolean write(JsonParser in, String wholeRecordId, BatchScope run) throws IOException {
            JsonToken first = in.nextToken();
            if (first != JsonToken.START_OBJECT) {
                return false;
            }
            if (captured == null) {
                slots = roles(); // checks the declaration once
                captured = new Object[slots.size()];
            }
            Arrays.fill(captured, null);
            if (out.size() >= SEGMENT) {
                segments.add(out);
                out = new Buffer();
            }
            int start = out.size();
            if (rowGenerator == null || rowGeneratorOut != out) { // one generator a segment, not one a row
                rowGenerator = JSON.createGenerator(out);
                rowGenerator.setRootValueSeparator(null);
                rowGeneratorOut = out;
            }
            JsonGenerator row = rowGenerator;
            try {
                row.writeStartObject();
                extraOpen = false;
                extraFields = 0;
                extraBytes.truncate(0);
                boolean hasTimeMillis = false;
                for (String name = in.nextFieldName(); name != null; name = in.nextFieldName()) {
                    JsonToken token = in.nextToken();
                    FieldPlan field = plan(name);
                    if (field.skip) {
                        in.skipChildren(); // ours replace it, or its value is in the value column
                        continue;
                    }
                    String column = field.column;
                    hasTimeMillis |= field.timeMillis;
                    Object value = null; // the field's value where it was read: its text, or its tree
                    if (field.capture()) {
                        value = token == JsonToken.VALUE_STRING ? in.getText() : readCaptured(in, token);
                        captured[field.slot] = value;
                    }
                    if (field.dropAfterCapture) {
                        continue; // its value is in the value column
                    }
                    if (field.aside) { // the connector's column (mimecastAccount): the record's own is kept aside
                        extra().writeFieldName(column);
                        copy(extra, in, value);
                        extraFields++;
                        continue;
                    }
                    if (columns == null) { // no declared table: the fields as they are
                        row.writeFieldName(column);
                        copy(row, in, value);
                        continue;
                    }
                    if (token == JsonToken.START_OBJECT && field.flatten) {
                        flattenInto(row, column, value != null ? (JsonNode) value : JSON.readTree(in));
                        continue;
                    }
                    ColumnType type = field.type;
                    if (type == null && value == null) { // not a column of the table: kept as it came
                        extra().writeFieldName(column);
                        extra.copyCurrentStructure(in);
                        extraFields++;
                    } else if (type != null && fitsAsItIs(type, token)) {
                        row.writeFieldName(column); // the common case, copied as it is
                        copy(row, in, value);
                    } else {
                        JsonNode node = value instanceof JsonNode tree ? tree
                                : value instanceof String text ? TextNode.valueOf(text) : JSON.readTree(in);
                        writeTyped(row, column, type, node);
                    }
                }
                if (in.nextToken() != null) {
                    throw new com.fasterxml.jackson.core.JsonParseException(in, "more than one JSON value");
                }
                // the record's time, read once; a record without a readable one (Awareness Training has none) is
                // delivered as of now, never outside the run
                Instant readTime = time == null ? null : readTime(capturedValue(time));
                Instant eventTime = readTime != null ? readTime : clock.instant();
                if (time != null && run != null && !run.keeps(eventTime.toEpochMilli())) {
                    closeExtra();
                    run.skipped.increment(); // outside the run's days
                    row.writeEndObject();
                    row.flush();
                    out.truncate(start);
                    return true;
                }
                String eventId = wholeRecordId != null ? wholeRecordId
                        : EventIds.ofValues(this::capturedValue, id, key, hasher);
                if (eventTimeGenerated) {
                    row.writeStringField(TIME_GENERATED, eventTime.toString());
                }
                row.writeStringField(EVENT_ID, eventId);
                if (timeMillis != null && !hasTimeMillis && readTime != null) {
                    row.writeNumberField(timeMillis, readTime.toEpochMilli());
                }
                if (valueColumn != null) {
                    Object value = capturedValue(valueField);
                    String text = value instanceof String s ? s : value instanceof JsonNode n ? n.asText() : "";
                    row.writeStringField(valueColumn, values.getOrDefault(text, text));
                }
                if (extraOpen) {
                    closeExtra();
                    // mimecastEventId came before, so a separator is due
                    row.writeRaw(",\"" + ADDITIONAL_FIELDS + "\":");
                    row.flush();
                    out.write(extraBytes.bytes(), 0, extraBytes.size());
                    if (run != null) {
                        run.additionalFields.add(extraFields);
                    }
                }
                row.writeEndObject();
                row.flush();
                add(start, out.size() - start, eventId, eventTime.toEpochMilli());
                return true;
            } catch (IOException | RuntimeException e) {
                out.truncate(start);
                extra = null; // fresh generators for the next row
                rowGenerator = null;
                throw e;
            }
        }

        private JsonGenerator extra() throws IOException {
            if (extra == null) {
                extra = JSON.createGenerator(extraBytes);
                extra.setRootValueSeparator(null);
            }
            if (!extraOpen) {
                extra.writeStartObject();
                extraOpen = true;
            }
            return extra;
        }

        private void closeExtra() throws IOException {
            if (extraOpen) {
                extra.writeEndObject();
                extra.flush();
                extraOpen = false;
            }
        }

        /** The value the row's field of that name holds, captured as it was read; null when it has none. */
        private Object capturedValue(String name) {
            Integer slot = slots.get(name);
            return slot == null ? null : captured[slot];
        }

        /**
         * A captured value that is not a string, as {@code readTree} reads it: a whole number's node made at once
         * (a tree read per number, the event times, made much of the mapping's garbage), any other value read.
         */
        private JsonNode readCaptured(JsonParser in, JsonToken token) throws IOException {
            if (token == JsonToken.VALUE_NUMBER_INT) {
                JsonParser.NumberType type = in.getNumberType();
                if (type == JsonParser.NumberType.INT) {
                    return IntNode.valueOf(in.getIntValue());
                }
                if (type == JsonParser.NumberType.LONG) {
                    return LongNode.valueOf(in.getLongValue());
                }
            }
            return JSON.readTree(in);
        }

        /** A field's value as it came: the token {@code in} is at, or the value already read. */
        private void copy(JsonGenerator row, JsonParser in, Object value) throws IOException {
            if (value instanceof String text) {
                row.writeString(text);
            } else if (value instanceof LongNode number) {
                row.writeNumber(number.longValue());
            } else if (value instanceof IntNode number) {
                row.writeNumber(number.intValue());
            } else if (value instanceof JsonNode node) {
                JSON.writeTree(row, node);
            } else if (in.currentToken().isNumeric()) {
                // as written: not parsed into a number and printed again, nor made a String on the way
                row.writeNumber(in.getTextCharacters(), in.getTextOffset(), in.getTextLength());
            } else {
                row.copyCurrentStructure(in);
            }
        }

        /** An object's leaves as the columns {@code <prefix>_<key>…} ({@code :} in a key becomes {@code _}). */
        private void flattenInto(JsonGenerator row, String prefix, JsonNode node) throws IOException {
            if (node.isObject() && !node.isEmpty()) {
                for (java.util.Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    flattenInto(row, prefix + "_" + field.getKey().replace(':', '_'), field.getValue());
                }
            } else {
                writeTyped(row, prefix, columns.get(prefix), node);
            }
        }

        /** A value in its column's type; into AdditionalFields when the table has no such column or it does not fit. */
        private void writeTyped(JsonGenerator row, String column, ColumnType type, JsonNode node) throws IOException {
            JsonNode typed = type == null ? null : ColumnValues.convert(type, node);
            if (typed == null) {
                extra().writeFieldName(column);
                JSON.writeTree(extra, node);
                extraFields++;
                return;
            }
            row.writeFieldName(column);
            JSON.writeTree(row, typed);
        }

        private void add(int start, int length, String eventId, long eventMillis) {
            if (count == starts.length) {
                int size = count * 2;
                segmentOf = Arrays.copyOf(segmentOf, size);
                starts = Arrays.copyOf(starts, size);
                lengths = Arrays.copyOf(lengths, size);
                ids = Arrays.copyOf(ids, size);
                times = Arrays.copyOf(times, size);
            }
            segmentOf[count] = segments.size();
            starts[count] = start;
            lengths[count] = length;
            ids[count] = eventId;
            times[count] = eventMillis;
            count++;
        }

        RowBatch finish() {
            segments.add(out);
            RowBatch batch = new RowBatch(count);
            for (int i = 0; i < count; i++) {
                batch.add(segments.get(segmentOf[i]).bytes(), starts[i], lengths[i], ids[i], times[i]);
            }
            return batch;
        }
    }

    /** Whether a value of this token goes into a column of this type unchanged. */
    private static boolean fitsAsItIs(ColumnType type, JsonToken token) {
        return switch (type) {
            case STRING, GUID -> token == JsonToken.VALUE_STRING || token == JsonToken.VALUE_NULL;
            case REAL -> token.isNumeric() || token == JsonToken.VALUE_NULL;
            case LONG, INT -> token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NULL;
            case BOOLEAN -> token.isBoolean() || token == JsonToken.VALUE_NULL;
            case DYNAMIC -> true;
            case DATETIME -> token == JsonToken.VALUE_NULL;
        };
    }

    /** The time a record's time field holds (text or a tree), null when it holds none readable. */
    private static Instant readTime(Object value) {
        return (value instanceof String text ? EventTimes.parse(text) : EventTimes.parse((JsonNode) value))
                .orElse(null);
    }

    /**
     * What a field of the records becomes, worked out once per field name (a lookup per field, not five);
     * {@code slot}: where its value is captured (-1: not captured).
     */
    /** @param aside the field goes to AdditionalFields whatever the table declares (the sink's column's name) */
    private record FieldPlan(String column, ColumnType type, int slot, boolean skip, boolean dropAfterCapture,
            boolean flatten, boolean timeMillis, boolean aside) {
        boolean capture() {
            return slot >= 0;
        }
    }

    private final Map<String, FieldPlan> plans = new java.util.concurrent.ConcurrentHashMap<>();

    private FieldPlan plan(String name) {
        FieldPlan plan = plans.get(name);
        if (plan == null) {
            Map<String, Integer> byField = roles();
            String column = renames.getOrDefault(name, name);
            boolean capture = byField.containsKey(name);
            int slot = capture ? byField.get(name) : -1;
            boolean ours = name.equals(TIME_GENERATED) || name.equals(EVENT_ID) || name.equals(valueColumn)
                    || name.equals(ADDITIONAL_FIELDS);
            boolean valueOnly = columns != null && name.equals(valueField) && !columns.containsKey(column);
            plan = new FieldPlan(column, columns == null ? null : columns.get(column), slot,
                    ours || valueOnly && !capture, valueOnly && capture, flatten.contains(name),
                    column.equals(timeMillis), column.equals(ACCOUNT));
            plans.put(name, plan);
        }
        return plan;
    }

    private Map<String, Integer> roles() {
        Map<String, Integer> known = roles;
        if (known == null) {
            if (timeMillis != null && (time == null || columns != null && !columns.containsKey(timeMillis))) {
                throw new IllegalArgumentException("timeMillis '" + timeMillis + "' needs a time field and a column "
                        + "of the table's declared columns");
            }
            known = new HashMap<>();
            for (String field : key) {
                known.putIfAbsent(field, known.size());
            }
            for (String field : java.util.Arrays.asList(valueField, id, time)) {
                if (field != null) {
                    known.putIfAbsent(field, known.size());
                }
            }
            roles = known;
        }
        return known;
    }

    private DeadLetters deadLetters() {
        if (deadLetters == null) {
            deadLetters = camelContext.getRegistry().lookupByNameAndType(DeadLetters.BEAN, DeadLetters.class);
        }
        return deadLetters;
    }

    /** A segment of the rows' buffer. */
    private static final int SEGMENT = 192 * 1024;

    /** A byte buffer whose end can be cut back (a row left out after it was written), its array handed on as is. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            this(SEGMENT + 16 * 1024);
        }

        Buffer(int size) {
            super(size);
        }

        void truncate(int size) {
            count = size;
        }

        /** The array itself, not a copy (the rows are slices of it). */
        byte[] bytes() {
            return buf;
        }
    }

    // ---- the declaration, from the route file ----

    /**
     * The field holding the event time (TimeGenerated, the run's days, the checkpoint's newest event); none for
     * records that are not events (Awareness Training: a user's current record, as of the time it is read).
     */
    public void setTime(String time) {
        this.time = time;
        roles = null;
        plans.clear();
    }

    /**
     * A column that gets the event time (of the time field) as epoch milliseconds, when the record has no field of
     * its own for it: API 1.0 SIEM rows, whose {@code datetime} is API 2.0's {@code timestamp}.
     */
    public void setTimeMillis(String column) {
        this.timeMillis = column == null || column.isBlank() ? null : column.trim();
        roles = null;
        plans.clear();
    }

    /** The field holding the record's own id, where it has one. */
    public void setId(String id) {
        this.id = id == null || id.isBlank() ? null : id.trim();
        roles = null;
        plans.clear();
    }

    /** Comma list of the fields whose values are hashed into the id when the record has none ({@code *}: all). */
    public void setKey(String key) {
        this.key = key == null || key.isBlank() ? List.of()
                : Arrays.stream(key.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        roles = null;
        plans.clear();
    }

    /** The field whose value is looked up in {@link #setValues values} for {@link #setValueColumn the column}. */
    public void setValueField(String valueField) {
        this.valueField = valueField;
        roles = null;
        plans.clear();
    }

    /** A column holding the looked-up value of {@link #setValueField the field} (e.g. {@code Logtype}). */
    public void setValueColumn(String valueColumn) {
        this.valueColumn = valueColumn;
        plans.clear();
    }

    /** Value of the field to value of the column; a value not listed is copied as it is. */
    public void setValues(Map<String, String> values) {
        this.values = new LinkedHashMap<>(values);
    }

    public Map<String, String> getValues() {
        return values;
    }

    /**
     * The table's columns: a comma list of {@code name} (a string column) or {@code name:type}; fields outside it go
     * to {@code AdditionalFields}.
     */
    public void setColumns(String declaration) {
        Map<String, ColumnType> declared = new LinkedHashMap<>();
        for (String column : declaration.split(",")) {
            String trimmed = column.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.lastIndexOf(':');
            String name = colon < 0 ? trimmed : trimmed.substring(0, colon).trim();
            ColumnType type = colon < 0 ? ColumnType.STRING : ColumnType.of(trimmed.substring(colon + 1));
            for (String other : declared.keySet()) {
                if (other.equalsIgnoreCase(name)) {
                    throw new IllegalArgumentException("columns " + other + " and " + name + " differ only by case");
                }
            }
            declared.put(name, type);
        }
        this.columns = declared.isEmpty() ? null : declared;
        plans.clear();
    }

    /** Field name to column name (Camel binds a route file's map into the map this getter returns). */
    public void setRenames(Map<String, String> renames) {
        this.renames = new LinkedHashMap<>(renames);
        plans.clear();
    }

    public Map<String, String> getRenames() {
        return renames;
    }

    /** Comma list of object fields written as one column per leaf ({@code tagMap} → {@code tagMap_<Group>_<Key>}). */
    public void setFlatten(String fields) {
        this.flatten = fields == null || fields.isBlank() ? java.util.Set.of()
                : Arrays.stream(fields.split(",")).map(String::trim).filter(f -> !f.isEmpty())
                        .collect(java.util.stream.Collectors.toUnmodifiableSet());
        plans.clear();
    }

    /**
     * What TimeGenerated is (the setting TIME_GENERATED): {@code ingestion}, the time the workspace ingests the row
     * (stamped by the data collection rule; the row carries none), or {@code event}, the event time.
     */
    public void setTimeGenerated(String mode) {
        String value = mode == null ? "" : mode.trim().toLowerCase(java.util.Locale.ROOT);
        switch (value) {
            case "", "ingestion" -> eventTimeGenerated = false;
            case "event" -> eventTimeGenerated = true;
            default -> throw new IllegalArgumentException("TIME_GENERATED must be 'ingestion' or 'event', not '"
                    + mode + "'");
        }
    }

    /** For tests: the clock that stamps a record without a readable time. */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
