package com.mimecastsentinel.transform;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Record to Sentinel row: the original Mimecast fields unchanged, plus {@code TimeGenerated} (ISO-8601 UTC, from
 * the log type's time field) and {@code mimecastEventId} (stable id, see {@link EventIds}).
 */
public final class RowMapper {
    public static final String TIME_GENERATED = "TimeGenerated";
    public static final String EVENT_ID = "mimecastEventId";

    private final String timeField;
    private final String idField;
    private final List<String> keyFields;
    private final Clock clock;

    public RowMapper(String timeField, String idField, List<String> keyFields, Clock clock) {
        this.timeField = timeField;
        this.idField = idField;
        this.keyFields = keyFields;
        this.clock = clock;
        if (idField == null && keyFields.isEmpty()) {
            throw new IllegalArgumentException("a log type needs an id field or key fields");
        }
    }

    /**
     * A mapped row with its id and event time: as a tree ({@code fields}), or as its JSON ({@code json}, from a
     * {@link RowWriter}), or both.
     */
    public record Row(ObjectNode fields, byte[] json, String eventId, Instant eventTime) {
        public Row(ObjectNode fields, String eventId, Instant eventTime) {
            this(fields, null, eventId, eventTime);
        }
    }

    /** The record becomes the row (no copy: each record is read for its row only, and copying cost time per event). */
    public Row map(ObjectNode record) {
        Optional<Instant> parsed = EventTimes.parse(record.get(timeField));
        // a record without a readable time is still delivered, stamped with the time we saw it
        Instant eventTime = parsed.orElseGet(clock::instant);
        String eventId = EventIds.of(record, idField, keyFields);
        record.put(TIME_GENERATED, eventTime.toString());
        record.put(EVENT_ID, eventId);
        return new Row(record, eventId, eventTime);
    }
}
