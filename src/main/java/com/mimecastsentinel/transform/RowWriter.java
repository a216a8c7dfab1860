package com.mimecastsentinel.transform;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The row of one NDJSON line, written straight from the line's tokens to the row's JSON: the same row as
 * {@link RowMapper} makes (the original fields, {@code TimeGenerated}, {@code mimecastEventId}, extra columns),
 * without building the record as a tree and serializing it again. Only the fields the id, the time and the extra
 * columns need are read as values. For the busiest path (SIEM batch files), where the tree was most of the
 * allocation and a third of the time (README, Performance). One writer per thread: it reuses its buffer.
 */
public final class RowWriter {
    private final ObjectMapper json;
    private final String timeField;
    private final String idField;
    private final List<String> keyFields;
    private final Set<String> read = new HashSet<>();
    private final Set<String> added;
    private final Function<ObjectNode, Map<String, String>> columns;
    private final Clock clock;
    private final ByteArrayBuilder out = new ByteArrayBuilder(4096);

    /**
     * @param columns extra columns from the fields read ({@code alsoRead} and the id, time and key fields)
     */
    public RowWriter(ObjectMapper json, String timeField, String idField, List<String> keyFields,
            Set<String> alsoRead, Set<String> columnNames, Function<ObjectNode, Map<String, String>> columns,
            Clock clock) {
        this.json = json;
        this.timeField = timeField;
        this.idField = idField;
        this.keyFields = keyFields;
        this.columns = columns;
        this.clock = clock;
        read.add(timeField);
        if (idField != null) {
            read.add(idField);
        }
        read.addAll(keyFields);
        read.addAll(alsoRead);
        added = new HashSet<>(columnNames);
        added.add(RowMapper.TIME_GENERATED);
        added.add(RowMapper.EVENT_ID);
        if (keyFields.equals(List.of("*"))) {
            throw new IllegalArgumentException("a row of all fields' hash needs the whole record: use RowMapper");
        }
    }

    /**
     * The row of the JSON object in {@code bytes[offset, offset + length)}, with its JSON; null when the line holds
     * no JSON object (blank, or another JSON value). Malformed JSON throws.
     */
    public RowMapper.Row write(byte[] bytes, int offset, int length) throws IOException {
        ObjectNode values = json.createObjectNode();
        out.reset();
        try (JsonParser in = json.createParser(bytes, offset, length);
                JsonGenerator row = json.createGenerator(out)) {
            JsonToken first = in.nextToken();
            if (first != JsonToken.START_OBJECT) {
                if (first != null) {
                    in.skipChildren();
                }
                return null;
            }
            row.writeStartObject();
            for (String name = in.nextFieldName(); name != null; name = in.nextFieldName()) {
                in.nextToken();
                if (added.contains(name)) {
                    in.skipChildren(); // replaced by ours, as the tree mapping does
                } else if (read.contains(name)) {
                    JsonNode value = json.readTree(in);
                    values.set(name, value);
                    row.writeFieldName(name);
                    json.writeTree(row, value);
                } else {
                    row.writeFieldName(name);
                    row.copyCurrentStructure(in);
                }
            }
            if (in.nextToken() != null) {
                throw new com.fasterxml.jackson.core.JsonParseException(in, "more than one JSON value on the line");
            }
            Instant eventTime = EventTimes.parse(values.get(timeField)).orElseGet(clock::instant);
            String eventId = EventIds.of(values, idField, keyFields);
            row.writeStringField(RowMapper.TIME_GENERATED, eventTime.toString());
            row.writeStringField(RowMapper.EVENT_ID, eventId);
            for (Map.Entry<String, String> column : columns.apply(values).entrySet()) {
                row.writeStringField(column.getKey(), column.getValue());
            }
            row.writeEndObject();
            row.flush();
            return new RowMapper.Row(null, out.toByteArray(), eventId, eventTime);
        }
    }
}
