package com.mimecastsentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.demo.PagedFeeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README command 1 without credentials: the embedded simulator, file checkpoints and the file sink. */
class DemoModeTest {
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path work;

    private int runDemo(LocalDate start) {
        return runDemo(start, new Properties());
    }

    private int runDemo(LocalDate start, Properties settings) {
        settings.put("output.dir", work.resolve("out").toString());
        settings.put("checkpoint.dir", work.resolve("checkpoints").toString());
        settings.put("start-date", start.toString());
        settings.put("run-once", "true");
        settings.put("camel.management.enabled", "false"); // port 9876 may be another test JVM's
        return Application.run(settings);
    }

    /**
     * The connector's classes and dependencies without the demo's (compiled with the tests, packaged as a jar of
     * its own): with no Mimecast credentials, start-up stops naming the setting instead of running a demo.
     */
    @Test
    void withoutTheDemoOnTheClassPathStartUpNeedsCredentials() throws Exception {
        String testClasses = Path.of("target", "test-classes").toAbsolutePath().toString();
        String production = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> !Path.of(entry).toAbsolutePath().toString().equals(testClasses))
                .collect(Collectors.joining(java.io.File.pathSeparator));
        assertTrue(production.length() < System.getProperty("java.class.path").length(), "the demo left out");
        com.mimecastsentinel.support.ConnectorProcess connector =
                new com.mimecastsentinel.support.ConnectorProcess(work);
        Process process = connector.start(Map.of("RUN_ONCE", "true"), "no-demo", List.of("-Xmx256m"), production);
        assertTrue(process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "start-up ends");
        String log = Files.readString(connector.log("no-demo"));
        assertEquals(2, process.exitValue(), log);
        assertTrue(log.contains("MIMECAST_CLIENT_ID is not set (nor MIMECAST_APP_ID), and the demo is not on the "
                + "class path"), log);
        assertFalse(log.contains("DEMO MODE"), log);
    }

    @Test
    void demoWritesEverySimulatedAuditEventOnceAcrossRuns() throws Exception {
        LocalDate start = LocalDate.now(ZoneOffset.UTC).minusDays(3);
        assertEquals(0, runDemo(start));
        assertEquals(0, runDemo(start));

        Path output = work.resolve("out/Custom-Audit.ndjson");
        List<JsonNode> rows = Files.readAllLines(output).stream().map(this::parse).toList();
        Set<String> ids = rows.stream().map(r -> r.path("mimecastEventId").asText()).collect(Collectors.toSet());
        assertEquals(rows.size(), ids.size(), "no event written twice");

        JsonNode checkpoint = json.readTree(work.resolve("checkpoints/audit.json").toFile());
        Instant until = Instant.parse(checkpoint.path("completedUntil").asText());
        Set<String> expected = PagedFeeds.all(json, Duration.ofMinutes(5)).get("/api/audit/get-audit-events")
                .events().between(start.atStartOfDay(ZoneOffset.UTC).toInstant(), until).stream()
                .map(e -> e.path("id").asText()).collect(Collectors.toSet());
        assertTrue(expected.size() > 3 * 24 * 12 - 2, "three days of events: " + expected.size());
        assertEquals(expected, ids, "every simulated event up to the checkpoint, nothing else");
        assertEquals(ids.size(), checkpoint.path("deliveredTotal").asLong());
        rows.forEach(r -> assertEquals(r.path("id").asText(), r.path("mimecastEventId").asText()));
    }

    /**
     * DEMO_ACCOUNTS=2: two simulated accounts in one connector, each with its own checkpoints, every event of each
     * once, and each row naming its account (the simulators generate the same events: the column tells them apart).
     * MIMECAST_LOG_TYPES picks the demo accounts' log types.
     */
    @Test
    void twoDemoAccountsWriteRowsNamingTheirAccount() throws Exception {
        LocalDate start = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        Properties settings = new Properties();
        settings.put("demo.accounts", "2");
        settings.put("mimecast.log-types", "audit");
        assertEquals(0, runDemo(start, settings));
        assertEquals(0, runDemo(start, settings));

        List<JsonNode> rows = Files.readAllLines(work.resolve("out/Custom-Audit.ndjson")).stream().map(this::parse)
                .toList();
        Map<String, List<String>> idsByAccount = rows.stream().collect(Collectors.groupingBy(
                r -> r.path("mimecastAccount").asText("(none)"), java.util.TreeMap::new,
                Collectors.mapping(r -> r.path("mimecastEventId").asText(), Collectors.toList())));
        assertEquals(Set.of("demo-1", "demo-2"), idsByAccount.keySet(), "every row names its account");
        for (String account : idsByAccount.keySet()) {
            List<String> ids = idsByAccount.get(account);
            assertEquals(ids.size(), Set.copyOf(ids).size(), account + ": no event written twice");
            JsonNode checkpoint = json.readTree(work.resolve("checkpoints/accounts/" + account + "/audit.json")
                    .toFile());
            Instant until = Instant.parse(checkpoint.path("completedUntil").asText());
            Set<String> expected = PagedFeeds.all(json, Duration.ofMinutes(5)).get("/api/audit/get-audit-events")
                    .events().between(start.atStartOfDay(ZoneOffset.UTC).toInstant(), until).stream()
                    .map(e -> e.path("id").asText()).collect(Collectors.toSet());
            assertTrue(expected.size() > 24 * 12 - 2, account + ": a day of events: " + expected.size());
            assertEquals(expected, Set.copyOf(ids), account + ": every simulated event up to its checkpoint");
        }
        assertFalse(Files.exists(work.resolve("checkpoints/audit.json")), "no single-account state");
        assertFalse(Files.exists(work.resolve("checkpoints/accounts/demo-1/dlp.json")), "audit only");
    }

    @Test
    void invalidSettingsStopStartUpNamingTheVariable() {
        Properties settings = new Properties();
        settings.put("schedule", "every ten minutes");
        settings.put("run-once", "true");
        assertEquals(2, Application.run(settings));
    }

    private JsonNode parse(String line) {
        try {
            return json.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }
}
