package com.mimecastsentinel.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class RowWriterTest {
    private final ObjectMapper json = new ObjectMapper();
    private final Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    private final List<String> keys = List.of("processingId", "timestamp", "action", "nested");
    private final RowWriter writer = new RowWriter(json, "timestamp", null, keys, Set.of("type"), Set.of("Logtype"),
            values -> Map.of("Logtype", "email_" + values.path("type").asText()), clock);

    private RowMapper.Row write(String line) throws Exception {
        byte[] padded = ("xx" + line + "yy").getBytes(StandardCharsets.UTF_8);
        return writer.write(padded, 2, padded.length - 4);
    }

    @Test
    void writesTheRowTheTreeMappingMakes() throws Exception {
        String line = "{\"processingId\":\"p-1\",\"timestamp\":1767225600123,\"type\":\"receipt\",\"action\":\"Acc\","
                + "\"nested\":{\"b\":[1,2.5,null],\"a\":true},\"subject\":\"caf\\u00e9 \\\"q\\\"\","
                + "\"TimeGenerated\":\"old\",\"Logtype\":\"old\",\"size\":12.0}";
        RowMapper.Row written = write(line);

        ObjectNode record = (ObjectNode) json.readTree(line);
        RowMapper.Row mapped = new RowMapper("timestamp", null, keys, clock).map(record);
        mapped.fields().put("Logtype", "email_receipt");
        assertEquals(mapped.eventId(), written.eventId());
        assertEquals(Instant.ofEpochMilli(1767225600123L), written.eventTime());
        assertEquals(mapped.fields(), json.readTree(written.json()), "same columns and values");
        assertNull(written.fields(), "no tree was built");
    }

    @Test
    void aLineWithoutAnObjectHasNoRowAndBrokenJsonThrows() throws Exception {
        assertNull(write("   "));
        assertNull(write("[1,2]"));
        assertThrows(java.io.IOException.class, () -> write("{\"processingId\":\"p-1\""));
        assertThrows(java.io.IOException.class, () -> write("{\"a\":1} {\"b\":2}"));
    }

    @Test
    void anUnreadableTimeIsStampedWithTheTimeWeSawIt() throws Exception {
        assertEquals(clock.instant(), write("{\"processingId\":\"p\",\"timestamp\":\"soon\"}").eventTime());
    }
}
