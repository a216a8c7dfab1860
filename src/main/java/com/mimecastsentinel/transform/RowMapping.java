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
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.run.Run;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * A log type's mapping from Mimecast records to the rows of its Sentinel table, declared in its route file (a bean
 * of this class, named {@code <logType>-rows}) and used as the first step of its route: the body, the records of a
 * page or the lines of a SIEM file's chunk, becomes a {@link RowBatch}. Each row is the record's fields, plus
 * {@code TimeGenerated} (the event time, from the {@code time} field), {@code mimecastEventId} (the {@code id}
 * field, or a hash of the {@code key} fields) and, where declared, a column whose value is looked up from another
 * field ({@code valueField} → {@code valueColumn} through {@code values}, e.g. SIEM {@code type} → {@code Logtype}).
 *
 * <p>One implementation for every path: rows are written straight from the JSON tokens of a record (a line's bytes,
 * or a page record's tree), only the fields the id, time and value column need are read as values. Rows outside
 * the run's days are left out; a line that is no JSON object goes to the dead letters with its reason.
 */
public class RowMapping implements Processor, CamelContextAware {
    public static final String TIME_GENERATED = "TimeGenerated";
    public static final String EVENT_ID = "mimecastEventId";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CamelContext camelContext;
    private DeadLetters deadLetters;
    private Clock clock = Clock.systemUTC();

    private String time;
    private String id;
    private List<String> key = List.of();
    private String valueField;
    private String valueColumn;
    private Map<String, String> values = new LinkedHashMap<>();

    /** What a record's row needs read as values, by field name. */
    private enum Role { TIME, ID, KEY, VALUE }

    private Map<String, Role> roles;

    @Override
    public void process(Exchange exchange) throws Exception {
        Object body = exchange.getMessage().getBody();
        Run run = Run.of(exchange);
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
    RowBatch fromRecords(List<?> records, Run run) throws IOException {
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
    RowBatch fromLines(Lines lines, Exchange exchange, Run run) throws IOException {
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
            try (JsonParser in = JSON.createParser(buffer, start, length)) {
                written = writer.write(in, null, run);
            } catch (IOException malformed) {
                writer.discard();
                written = false;
            }
            if (!written) {
                badLine(exchange, run, lines, i);
            }
        }
        if (run != null) {
            run.linesSinceChunk.add(lines.size());
            run.lineBytesSinceChunk.add(lines.bytes());
        }
        return writer.finish();
    }

    private void badLine(Exchange exchange, Run run, Lines lines, int index) {
        byte[] line = Arrays.copyOfRange(lines.buffer(index), lines.start(index),
                lines.start(index) + lines.length(index));
        String logType = run != null ? run.logType : exchange.getFromRouteId();
        if (run != null) {
            run.skipped.increment();
        }
        String text = utf8(line);
        deadLetters().put(logType, "line " + lines.lineNumber(index) + (text == null ? " is not valid UTF-8"
                : " is not a JSON object"), lines.file(index), line);
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
        private final Map<String, Object> captured = new HashMap<>();
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
        boolean write(JsonParser in, String wholeRecordId, Run run) throws IOException {
            JsonToken first = in.nextToken();
            if (first != JsonToken.START_OBJECT) {
                return false;
            }
            Map<String, Role> byField = roles();
            captured.clear();
            if (out.size() >= SEGMENT) {
                segments.add(out);
                out = new Buffer();
            }
            int start = out.size();
            try (JsonGenerator row = JSON.createGenerator(out)) {
                row.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT); // a row left out stays out
                row.writeStartObject();
                for (String name = in.nextFieldName(); name != null; name = in.nextFieldName()) {
                    JsonToken token = in.nextToken();
                    if (name.equals(TIME_GENERATED) || name.equals(EVENT_ID) || name.equals(valueColumn)) {
                        in.skipChildren(); // ours replace them
                        continue;
                    }
                    row.writeFieldName(name);
                    if (byField.containsKey(name)) {
                        if (token == JsonToken.VALUE_STRING) {
                            String text = in.getText();
                            captured.put(name, text);
                            row.writeString(text);
                        } else {
                            JsonNode value = JSON.readTree(in);
                            captured.put(name, value);
                            JSON.writeTree(row, value);
                        }
                    } else {
                        row.copyCurrentStructure(in);
                    }
                }
                if (in.nextToken() != null) {
                    throw new com.fasterxml.jackson.core.JsonParseException(in, "more than one JSON value");
                }
                Instant eventTime = eventTime(captured.get(time));
                if (run != null && !run.keeps(eventTime.toEpochMilli())) {
                    run.skipped.increment(); // outside the run's days
                    row.flush();
                    out.truncate(start);
                    return true;
                }
                String eventId = wholeRecordId != null ? wholeRecordId : EventIds.ofValues(captured::get, id, key);
                row.writeStringField(TIME_GENERATED, eventTime.toString());
                row.writeStringField(EVENT_ID, eventId);
                if (valueColumn != null) {
                    Object value = captured.get(valueField);
                    String text = value instanceof String s ? s : value instanceof JsonNode n ? n.asText() : "";
                    row.writeStringField(valueColumn, values.getOrDefault(text, text));
                }
                row.writeEndObject();
                row.flush();
                add(start, out.size() - start, eventId, eventTime.toEpochMilli());
                return true;
            } catch (IOException | RuntimeException e) {
                out.truncate(start);
                throw e;
            }
        }

        void discard() {
            // the writer already dropped what it wrote of the failed row
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

    /** A record without a readable time is still delivered, stamped with the time it was read. */
    private Instant eventTime(Object value) {
        if (value instanceof String text) {
            return EventTimes.parse(text).orElseGet(clock::instant);
        }
        return EventTimes.parse((JsonNode) value).orElseGet(clock::instant);
    }

    private Map<String, Role> roles() {
        Map<String, Role> known = roles;
        if (known == null) {
            known = new HashMap<>();
            for (String field : key) {
                known.put(field, Role.KEY);
            }
            if (valueField != null) {
                known.put(valueField, Role.VALUE);
            }
            if (id != null) {
                known.put(id, Role.ID);
            }
            if (time == null) {
                throw new IllegalStateException("the mapping needs its time field");
            }
            known.put(time, Role.TIME);
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
            super(SEGMENT + 16 * 1024);
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

    /** The field holding the event time (TimeGenerated, the run's days, the checkpoint's newest event). */
    public void setTime(String time) {
        this.time = time;
        roles = null;
    }

    /** The field holding the record's own id, where it has one. */
    public void setId(String id) {
        this.id = id == null || id.isBlank() ? null : id.trim();
        roles = null;
    }

    /** Comma list of the fields whose values are hashed into the id when the record has none ({@code *}: all). */
    public void setKey(String key) {
        this.key = key == null || key.isBlank() ? List.of()
                : Arrays.stream(key.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        roles = null;
    }

    /** The field whose value is looked up in {@link #setValues values} for {@link #setValueColumn the column}. */
    public void setValueField(String valueField) {
        this.valueField = valueField;
        roles = null;
    }

    /** A column holding the looked-up value of {@link #setValueField the field} (e.g. {@code Logtype}). */
    public void setValueColumn(String valueColumn) {
        this.valueColumn = valueColumn;
    }

    /** Value of the field to value of the column; a value not listed is copied as it is. */
    public void setValues(Map<String, String> values) {
        this.values = new LinkedHashMap<>(values);
    }

    public Map<String, String> getValues() {
        return values;
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

    /** A record's row as a tree (for tests and tools). */
    public ObjectNode rowOf(ObjectNode record) throws IOException {
        RowBatch batch = fromRecords(List.of(record), null);
        return batch.isEmpty() ? null : (ObjectNode) JSON.readTree(batch.json(0));
    }
}
