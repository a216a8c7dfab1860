package com.mimecastsentinel.logtypes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.Application;
import com.mimecastsentinel.demo.PagedFeeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill over explicit days, through the real routes and the demo's simulator: it leaves the live checkpoint
 * alone, delivers exactly the days before the live connector began, and nothing twice.
 */
class BackfillTest {
    private final ObjectMapper json = new ObjectMapper();
    private final LocalDate today = LocalDate.now(ZoneOffset.UTC);

    @TempDir
    Path work;

    private int run(String logTypes, String... settings) {
        Properties properties = new Properties();
        properties.put("output.dir", work.resolve("out").toString());
        properties.put("checkpoint.dir", work.resolve("checkpoints").toString());
        properties.put("dead-letter.dir", work.resolve("dead-letter").toString());
        properties.put("mimecast.log-types", logTypes);
        properties.put("camel.management.enabled", "false");
        for (int i = 0; i < settings.length; i += 2) {
            properties.put(settings[i], settings[i + 1]);
        }
        return Application.run(properties);
    }

    private int backfill(String logTypes, LocalDate from, LocalDate to) {
        return run(logTypes, "backfill.from", from.toString(), "backfill.to", to.toString());
    }

    private List<JsonNode> rows(String stream) throws Exception {
        Path file = work.resolve("out/" + stream + ".ndjson");
        List<JsonNode> rows = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            rows.add(json.readTree(line));
        }
        return rows;
    }

    private static Set<String> ids(List<JsonNode> rows) {
        return rows.stream().map(r -> r.path("mimecastEventId").asText()).collect(Collectors.toSet());
    }

    @Test
    void backfillDeliversTheDaysBeforeTheLiveStartOnceAndLeavesTheLiveCheckpointAlone() throws Exception {
        LocalDate liveStart = today.minusDays(1);
        LocalDate from = today.minusDays(4);
        assertEquals(0, run("audit,siem", "start-date", liveStart.toString(), "run-once", "true"));
        byte[] liveAudit = Files.readAllBytes(work.resolve("checkpoints/audit.json"));
        byte[] liveSiem = Files.readAllBytes(work.resolve("checkpoints/siem.json"));
        Set<String> live = ids(rows("Custom-Audit"));

        // asked up to tomorrow: stops where the live connector began instead
        assertEquals(0, backfill("audit,siem", from, today.plusDays(1)));
        assertArrayEquals(liveAudit, Files.readAllBytes(work.resolve("checkpoints/audit.json")), "live untouched");
        assertArrayEquals(liveSiem, Files.readAllBytes(work.resolve("checkpoints/siem.json")), "live untouched");
        assertTrue(Files.exists(work.resolve("checkpoints/backfill/" + from + "_" + today.plusDays(1) + "/audit.json")));

        List<JsonNode> audit = rows("Custom-Audit");
        assertEquals(audit.size(), ids(audit).size(), "no audit event twice");
        Instant liveBegan = liveStart.atStartOfDay(ZoneOffset.UTC).toInstant();
        Set<String> backfilled = new HashSet<>(ids(audit));
        backfilled.removeAll(live);
        Set<String> expected = PagedFeeds.all(json, Duration.ofMinutes(5)).get("/api/audit/get-audit-events")
                .events().between(from.atStartOfDay(ZoneOffset.UTC).toInstant(), liveBegan).stream()
                .map(e -> e.path("id").asText()).collect(Collectors.toSet());
        assertEquals(3 * 24 * 12, expected.size(), "three days of simulated audit events");
        assertEquals(expected, backfilled, "exactly the days before the live start");

        List<JsonNode> siem = rows("Custom-Seg_Cg");
        assertEquals(siem.size(), ids(siem).size(), "no SIEM event twice");
        assertTrue(siem.stream().anyMatch(r -> eventTime(r).isBefore(liveBegan)),
                "SIEM events before the live start were backfilled");
        assertTrue(siem.stream().allMatch(r -> !eventTime(r).isBefore(from.atStartOfDay(ZoneOffset.UTC).toInstant())),
                "none before BACKFILL_FROM");

        // the same backfill again: its own checkpoint says it is done
        long before = Files.size(work.resolve("out/Custom-Audit.ndjson")) + Files.size(work.resolve("out/Custom-Seg_Cg.ndjson"));
        assertEquals(0, backfill("audit,siem", from, today.plusDays(1)));
        assertEquals(before, Files.size(work.resolve("out/Custom-Audit.ndjson"))
                + Files.size(work.resolve("out/Custom-Seg_Cg.ndjson")), "a finished backfill sends nothing more");
    }

    @Test
    void backfillNeedsALiveCheckpointAndADateStream() {
        // without a live checkpoint the live connector could read the same days later: refused
        assertEquals(1, backfill("dlp", today.minusDays(3), today.minusDays(2)));
        assertTrue(!Files.exists(work.resolve("out/Custom-Seg_Dlp.ndjson")));
        // settings that cannot work stop start-up, naming the variable (exit 2)
        assertEquals(2, run("audit", "backfill.from", today.toString()));
        assertEquals(2, run("audit", "backfill.from", today.toString(), "backfill.to", today.minusDays(1).toString()));
        assertEquals(2, run("", "backfill.from", today.minusDays(2).toString(), "backfill.to", today.toString()));
    }

    /** A SIEM row's event time: its timestamp column (epoch milliseconds). */
    private static Instant eventTime(JsonNode row) {
        return Instant.ofEpochMilli(row.path("timestamp").asLong());
    }
}
