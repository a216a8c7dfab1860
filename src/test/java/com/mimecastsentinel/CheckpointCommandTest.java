package com.mimecastsentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.checkpoint.FileCheckpointStore;
import com.mimecastsentinel.config.ConfigurationException;
import com.mimecastsentinel.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointCommandTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private final ObjectMapper json = new ObjectMapper();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    private CheckpointCommand command(Map<String, String> properties) {
        Settings settings = new Settings(key -> Optional.ofNullable(properties.get(key)), name -> null);
        return new CheckpointCommand(new FileCheckpointStore(dir), settings, Clock.fixed(NOW, ZoneOffset.UTC),
                new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    private CheckpointCommand command() {
        return command(Map.of());
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void showPrintsThePositionAndTheDocument() throws Exception {
        Files.writeString(dir.resolve("audit.json"), """
                {"version":1,"logType":"audit","completedUntil":"2026-11-23T11:00:00Z","deliveredTotal":42,
                 "window":{"start":"2026-11-23T10:45:00Z","end":"2026-11-23T11:30:00Z","pageToken":"p2"},
                 "recentEventIds":{"a":1795431600}}""");
        assertEquals(0, command().show("audit"));
        assertTrue(printed().contains("completed until 2026-11-23T11:00:00Z, window 2026-11-23T10:45:00Z.."
                + "2026-11-23T11:30:00Z in progress; next run reads from 2026-11-23T10:45:00Z; 42 events delivered "
                + "in all, 1 recent ids kept for dedupe"), printed());
        assertTrue(printed().contains("\"pageToken\":\"p2\""), "the document itself follows");
    }

    @Test
    void resetTakesAnInstantAsWellAsADay() throws Exception {
        assertEquals(0, command().reset("audit", "2026-11-20T09:30:15Z"));
        JsonNode reset = json.readTree(dir.resolve("audit.json").toFile());
        assertEquals("2026-11-20T09:30:15Z", reset.path("completedUntil").asText());
        org.junit.jupiter.api.Assertions.assertThrows(com.mimecastsentinel.config.ConfigurationException.class,
                () -> command().reset("audit", "20 November"), "neither");
    }

    @Test
    void showSaysWhereAMissingCheckpointStarts() {
        assertEquals(0, command(Map.of("start-date", "2026-11-01")).show("dlp"));
        assertTrue(printed().contains("no checkpoint dlp.json") && printed().contains("START_DATE 2026-11-01"),
                printed());
    }

    @Test
    void resetMovesEveryPositionToTheDayAndKeepsTheDeliveredIds() throws Exception {
        Files.writeString(dir.resolve("siem.json"), """
                {"version":1,"logType":"siem","startedFrom":"2026-11-16T00:00:00Z","nextPage":"token",
                 "filesDone":["f1"],"fileInProgress":{"file":"f2","lines":40},"deliveredTotal":7,
                 "recentEventIds":{"a":1795431600}}""");
        assertEquals(0, command().reset("siem", "2026-11-20"));

        JsonNode reset = json.readTree(dir.resolve("siem.json").toFile());
        assertEquals("2026-11-20T00:00:00Z", reset.path("startedFrom").asText());
        assertEquals("2026-11-20T00:00:00Z", reset.path("completedUntil").asText());
        assertTrue(reset.path("nextPage").isMissingNode() && reset.path("filesDone").isMissingNode()
                && reset.path("fileInProgress").isMissingNode(), "the next run lists from the day again: " + reset);
        assertEquals(1795431600L, reset.path("recentEventIds").path("a").asLong(), "ids kept: no re-sending");
        assertEquals(7, reset.path("deliveredTotal").asLong());
    }

    @Test
    void theRecordedLiveStartOfAPagedTypeOnlyMovesEarlier() throws Exception {
        Files.writeString(dir.resolve("audit.json"), """
                {"version":1,"logType":"audit","startedFrom":"2026-10-01T00:00:00Z",
                 "completedUntil":"2026-11-20T00:00:00Z","recentEventIds":{}}""");
        assertEquals(0, command().reset("audit", "2026-11-10"));
        JsonNode forward = json.readTree(dir.resolve("audit.json").toFile());
        assertEquals("2026-11-10T00:00:00Z", forward.path("completedUntil").asText());
        assertEquals("2026-10-01T00:00:00Z", forward.path("startedFrom").asText(),
                "a backfill still stops where the live connector really began");
        assertEquals(0, command().reset("audit", "2026-09-01"));
        assertEquals("2026-09-01T00:00:00Z", json.readTree(dir.resolve("audit.json").toFile())
                .path("startedFrom").asText());
    }

    @Test
    void anAwarenessSnapshotIsShownAndResetSendsEveryUserAgain() throws Exception {
        Files.writeString(dir.resolve("awareness-watchlist.json"), """
                {"version":1,"logType":"awareness-watchlist","completedUntil":"2026-11-23T10:05:00Z",
                 "snapshot":{"startedAt":"2026-11-23T00:05:00Z","completedAt":"2026-11-23T00:06:00Z",
                 "sent":{"k1":"v1","k2":"v2"}},"deliveredTotal":2,"recentEventIds":{}}""");
        assertEquals(0, command().show("awareness-watchlist"));
        assertTrue(printed().contains("snapshot of 2026-11-23T00:05:00Z, 2 records sent, read whole at "
                + "2026-11-23T00:06:00Z; the next run reads every user"), printed());
        assertEquals(0, command().reset("awareness-watchlist", "2026-11-23"));
        JsonNode reset = json.readTree(dir.resolve("awareness-watchlist.json").toFile());
        assertTrue(reset.path("snapshot").isMissingNode(), "the next run starts a new snapshot: " + reset);
        assertEquals(2, reset.path("deliveredTotal").asLong());
    }

    @Test
    void resetMovesEachThreatFeedAndCreatesAMissingDocument() throws Exception {
        Files.writeString(dir.resolve("threat-intel.json"), """
                {"version":1,"logType":"threat-intel","feeds":{"malware_grid":{"completedUntil":"2026-11-23T00:00:00Z",
                 "window":{"start":"2026-11-22T00:00:00Z","end":"2026-11-23T00:00:00Z"}}}}""");
        assertEquals(0, command().reset("threat-intel", "2026-11-01"));
        JsonNode feed = json.readTree(dir.resolve("threat-intel.json").toFile()).path("feeds").path("malware_grid");
        assertEquals("2026-11-01T00:00:00Z", feed.path("completedUntil").asText());
        assertTrue(feed.path("window").isMissingNode());

        assertEquals(0, command().reset("audit", "2026-10-01"));
        assertEquals("2026-10-01T00:00:00Z", json.readTree(dir.resolve("audit.json").toFile())
                .path("completedUntil").asText());
    }

    @Test
    void aBackfillsCheckpointsAreItsOwn() throws Exception {
        CheckpointCommand backfill = command(Map.of("backfill.from", "2026-11-01", "backfill.to", "2026-11-05",
                "mimecast.log-types", "audit"));
        assertEquals(0, backfill.reset("audit", "2026-11-02"));
        assertTrue(Files.exists(dir.resolve("backfill/2026-11-01_2026-11-05/audit.json")));
        assertTrue(!Files.exists(dir.resolve("audit.json")), "the live checkpoint is not touched");
    }

    @Test
    void aDateInTheFutureOrNotADateIsRefused() {
        assertThrows(ConfigurationException.class, () -> command().reset("audit", "2026-12-01"));
        assertThrows(ConfigurationException.class, () -> command().reset("audit", "yesterday"));
        assertNull(dir.toFile().list().length == 0 ? null : "written", "nothing written");
    }
}
