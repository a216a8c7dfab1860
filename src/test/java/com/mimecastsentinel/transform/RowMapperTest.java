package com.mimecastsentinel.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class RowMapperTest {
    private final ObjectMapper json = new ObjectMapper();
    private final Clock clock = Clock.fixed(Instant.parse("2026-02-03T04:05:06Z"), ZoneOffset.UTC);

    private ObjectNode audit() throws Exception {
        return (ObjectNode) json.readTree("{\"id\":\"eNo1\",\"auditType\":\"User Logged On\",\"user\":\"a@example.com\","
                + "\"eventTime\":\"2024-05-01T10:00:00+0000\",\"eventInfo\":\"Logged on\",\"category\":\"authentication_logs\"}");
    }

    @Test
    void auditRecordKeepsItsFieldsAndGainsTimeAndId() throws Exception {
        RowMapper mapper = new RowMapper("eventTime", "id", List.of("eventTime", "user"), clock);
        RowMapper.Row row = mapper.map(audit());

        assertEquals("eNo1", row.eventId());
        assertEquals(Instant.parse("2024-05-01T10:00:00Z"), row.eventTime());
        ObjectNode fields = row.fields();
        assertEquals("2024-05-01T10:00:00Z", fields.get("TimeGenerated").asText());
        assertEquals("eNo1", fields.get("mimecastEventId").asText());
        for (String field : List.of("id", "auditType", "user", "eventTime", "eventInfo", "category")) {
            assertEquals(audit().get(field), fields.get(field), field + " unchanged");
        }
        assertEquals(8, fields.size());
    }

    @Test
    void withoutAnIdTheKeyFieldsAreHashed() throws Exception {
        ObjectNode record = audit();
        record.remove("id");
        RowMapper mapper = new RowMapper("eventTime", "id", List.of("eventTime", "auditType", "user"), clock);
        String id = mapper.map(record).eventId();
        assertEquals(32, id.length());
        assertEquals(id, mapper.map(record.deepCopy()).eventId(), "stable");
        // documented rule: first 32 hex digits of SHA-256 over the values joined with U+001F
        assertEquals(EventIds.hash("2024-05-01T10:00:00+0000\u001fUser Logged On\u001fa@example.com"), id);
        record.put("user", "b@example.com");
        assertNotEquals(id, mapper.map(record).eventId());
    }

    @Test
    void anUnreadableTimeIsStampedWithTheTimeWeSawIt() throws Exception {
        ObjectNode record = audit();
        record.put("eventTime", "yesterday");
        RowMapper.Row row = new RowMapper("eventTime", "id", List.of(), clock).map(record);
        assertEquals(clock.instant(), row.eventTime());
        assertEquals("yesterday", row.fields().get("eventTime").asText(), "the original value is kept");
    }

    @Test
    void parsesEveryTimeFormatMimecastUses() {
        Instant expected = Instant.parse("2024-05-01T10:00:00Z");
        assertEquals(Optional.of(expected), EventTimes.parse("2024-05-01T10:00:00+0000"));
        assertEquals(Optional.of(expected), EventTimes.parse("2024-05-01T10:00:00Z"));
        assertEquals(Optional.of(expected), EventTimes.parse("2024-05-01T12:00:00+02:00"));
        assertEquals(Optional.of(expected), EventTimes.parse("2024-05-01T11:00:00+0100"));
        assertEquals(Optional.of(expected.plusMillis(123)), EventTimes.parse("2024-05-01T10:00:00.123Z"));
        assertEquals(Optional.of(expected), EventTimes.parse(String.valueOf(expected.toEpochMilli())));
        assertEquals(Optional.of(expected), EventTimes.parse(String.valueOf(expected.getEpochSecond())), "seconds");
        assertEquals(Optional.of(expected), EventTimes.parse(json.getNodeFactory().numberNode(expected.toEpochMilli())));
        assertTrue(EventTimes.parse("not a time").isEmpty());
        assertEquals("2024-05-01T10:00:00+0000", EventTimes.mimecastFormat(expected));
    }
}
