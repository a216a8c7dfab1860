package com.mimecastsentinel.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.mimecastsentinel.demo.AwarenessFeeds;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.AzureFake;
import com.mimecastsentinel.support.ConnectorProcess;
import com.mimecastsentinel.support.SimulatedAccount;
import com.mimecastsentinel.transform.EventIds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fault suite: each scenario runs the real routes against the simulator (HTTPS) and the Azure fakes with a
 * fault injected (the crash loop and SIGTERM with an Awareness Training snapshot beside the event log types), then counts, against what the source holds, what was delivered, duplicated, lost and
 * dead-lettered. The table goes to target/fault-suite.txt ({@code .ci/fault-suite} prints it).
 *
 * <p>The crash loop kills the connector's own JVM with SIGKILL {@code faults.kills} times (default 20) at random
 * moments of its work on a backlog of {@code faults.days} days (default 5), then lets it finish.
 */
@ExtendWith(Azurite.class)
class FaultSuiteTest {
    private static final String AUDIT = "/api/audit/get-audit-events";
    private static final String AWARENESS_STREAM = "Custom-Awareness_User_Data";
    /**
     * Phishing campaign user data (the campaign list, then each campaign's pages): enough users for a snapshot of 120
     * pages of 50, long enough for kills and SIGTERM to land inside it.
     */
    private static final int AWARENESS_USERS = 3000;
    private static final List<String> TABLE = new ArrayList<>();
    private static final List<String> SIEM_KEYS = List.of("processingId", "aggregateId", "type", "subtype",
            "timestamp", "action", "messageId", "accountId");
    private final ObjectMapper json = new ObjectMapper();
    private SimulatedAccount account;

    /** The connectors' working directories and logs: kept when a scenario fails, to read what happened. */
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path work;

    @BeforeEach
    void start() {
        account = new SimulatedAccount(Duration.ofMinutes(2));
        account.azure.acceptUploads();
    }

    @AfterEach
    void stop() {
        account.close();
    }

    @AfterAll
    static void printTable() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-56s %8s %9s %10s %5s %13s  %s", "scenario", "source", "delivered", "duplicates",
                "lost", "dead-lettered", "result"));
        lines.addAll(TABLE);
        Path report = Path.of("target", "fault-suite.txt");
        Files.createDirectories(report.getParent());
        Files.write(report, lines);
        lines.forEach(System.out::println);
    }

    private Map<String, String> audit(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("MIMECAST_PAGE_SIZE", "100");
        return env;
    }

    @Test
    void mimecastRateLimitIsWaitedOut() throws Exception {
        account.simulator.failAfter(3, 2, 429, Map.of("X-RateLimit-Reset", "1200"));
        long started = System.nanoTime();
        assertEquals(0, account.runOnce("audit", audit(Map.of())));
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(2400), "waited as told, twice");
        record("Mimecast 429 with X-RateLimit-Reset", verifyAudit());
    }

    /**
     * The API as Mimecast and Azure document it can behave, for every log type at once and for the whole run: 429s,
     * server errors, failures inside HTTP 200s, revoked and short-lived tokens; Sentinel throttling. Each of
     * {@code faults.degraded-runs} (default 10) fresh accounts has its first run counted: it must complete (exit 0)
     * in at least 9 of 10, with no row twice and none lost. (Single faults, as the scenarios above inject, left
     * this unseen: a retry budget spent per run instead of per call only shows when faults keep coming.)
     */
    @Test
    void everyLogTypeAtOnceCompletesItsFirstRunUnderTheApisNormalLimits() throws Exception {
        int runs = Integer.getInteger("faults.degraded-runs", 10);
        int completed = 0;
        int source = 0;
        int delivered = 0;
        int duplicates = 0;
        int lost = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            try (SimulatedAccount degraded = new SimulatedAccount(Duration.ofMinutes(10))) {
                degraded.simulator.chaos(new com.mimecastsentinel.demo.MimecastSimulator.Chaos(7, 1000, 11, 40, 0.05,
                        90, 1000 + i));
                degraded.azure.acceptUploads();
                degraded.azure.server.stubFor(post(urlPathMatching("/workspaces/.*"))
                        .willReturn(aResponse().withStatus(200)));
                degraded.azure.throttle(5, 0.05, 2000 + i);
                Map<String, String> env = new HashMap<>();
                env.put("MIMECAST_LOG_TYPES", "");
                env.put("SENTINEL_WORKSPACE_ID", "11111111-2222-3333-4444-555555555555");
                env.put("SENTINEL_TI_ENDPOINT", com.mimecastsentinel.support.HttpsFake.url(degraded.azure.server));
                int exit = degraded.runOnce("", env);
                completed += exit == 0 ? 1 : 0;
                if (exit != 0) {
                    failures.add("run " + i + " exited " + exit);
                }
                for (String stream : List.of("Custom-Audit", "Custom-Seg_Dlp", "Custom-Ttp_Url", "Custom-Ttp_Attachment",
                        "Custom-Ttp_Impersonation", "Custom-Archive_Search", "Custom-Held_Release", "Custom-Seg_Cg",
                        "Custom-Cloud_Integrated", "Custom-Awareness_User_Data")) {
                    Map<String, Integer> ids = degraded.azure.deliveredIds(stream);
                    duplicates += ids.values().stream().mapToInt(n -> n - 1).sum();
                }
                Set<String> audit = degraded.simulator.events(AUDIT).between(
                        degraded.start.atStartOfDay(ZoneOffset.UTC).toInstant(), Instant.parse(
                                degraded.checkpoint("audit").path("completedUntil").asText()))
                        .stream().map(e -> e.path("id").asText()).collect(Collectors.toSet());
                Map<String, Integer> auditDelivered = degraded.azure.deliveredIds("Custom-Audit");
                source += audit.size();
                delivered += auditDelivered.size();
                audit.removeAll(auditDelivered.keySet());
                lost += audit.size();
            }
        }
        boolean passed = completed * 10 >= runs * 9 && duplicates == 0 && lost == 0;
        TABLE.add(String.format("%-56s %8d %9d %10d %5d %13d  %s", "degraded APIs, all log types: " + completed + "/"
                + runs + " first runs complete", source, delivered, duplicates, lost, 0, passed ? "PASS" : "FAIL"));
        assertEquals(0, duplicates, "no row twice");
        assertEquals(0, lost, "no audit event lost");
        assertTrue(completed * 10 >= runs * 9, completed + " of " + runs + " first runs completed: " + failures);
    }

    @Test
    void mimecastOutageFailsTheRunAndTheNextResumes() throws Exception {
        account.simulator.failAfter(4, 3, 503, Map.of());
        assertEquals(1, account.runOnce("audit", audit(Map.of("MIMECAST_MAX_ATTEMPTS", "3"))), "fails loudly");
        assertTrue(account.checkpoint("audit").has("window"), "the checkpoint stays mid-window");
        assertEquals(0, account.runOnce("audit", audit(Map.of("MIMECAST_MAX_ATTEMPTS", "3"))));
        record("Mimecast 5xx beyond the retry budget", verifyAudit());
    }

    @Test
    void tokenExpiryMidRunReauthenticatesOnce() throws Exception {
        account.simulator.expireTokensAfter(5);
        assertEquals(0, account.runOnce("audit", audit(Map.of())));
        assertEquals(2, account.simulator.tokenRequests(), "one new token");
        record("Mimecast token expiry mid-run (401)", verifyAudit());
    }

    @Test
    void ingestionThrottlingAndOutageAreRetried() throws Exception {
        var server = account.azure.server;
        server.stubFor(post(urlPathMatching("/dataCollectionRules/.*")).atPriority(1).inScenario("throttle")
                .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(204)).willSetStateTo("429"));
        server.stubFor(post(urlPathMatching("/dataCollectionRules/.*")).atPriority(1).inScenario("throttle")
                .whenScenarioStateIs("429").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1"))
                .willSetStateTo("503"));
        server.stubFor(post(urlPathMatching("/dataCollectionRules/.*")).atPriority(1).inScenario("throttle")
                .whenScenarioStateIs("503").willReturn(aResponse().withStatus(503).withHeader("Retry-After", "1"))
                .willSetStateTo("ok"));
        server.stubFor(post(urlPathMatching("/dataCollectionRules/.*")).atPriority(1).inScenario("throttle")
                .whenScenarioStateIs("ok").willReturn(aResponse().withStatus(204)));
        assertEquals(0, account.runOnce("audit", audit(Map.of())));
        record("Logs Ingestion 429 and 503 with Retry-After", verifyAudit());
    }

    @Test
    void clockSkewAndEmptyWindowsAskForNothingNegative() throws Exception {
        assertEquals(0, account.runOnce("audit", audit(Map.of())));
        assertEquals(0, account.runOnce("audit", audit(Map.of())), "an (almost) empty window");
        int uploads = account.azure.uploads("Custom-Audit").size();
        // a checkpoint from a clock an hour ahead: no negative window, no error, nothing sent twice
        ObjectNodeEditor.shiftCompletedUntil(account, "audit", Duration.ofHours(1));
        assertEquals(0, account.runOnce("audit", audit(Map.of())));
        assertTrue(account.azure.uploads("Custom-Audit").size() <= uploads + 1);
        record("Clock skew and empty windows", verifyAudit());
    }

    @Test
    void crashLoopLosesNothingAndResendsAtMostOneBatchPerKill() throws Exception {
        int kills = Integer.getInteger("faults.kills", 20);
        int days = Integer.getInteger("faults.days", 5);
        ConnectorProcess connector = new ConnectorProcess(work);
        account.simulator.awarenessUsers(AWARENESS_USERS);
        Map<String, String> env = new HashMap<>(account.environment("audit,siem,awareness-user-data",
                Map.of("MIMECAST_PAGE_SIZE", "50", "START_DATE",
                        account.start.minusDays(days - 1L).toString())));
        Random random = new Random(Long.getLong("faults.seed", 42L));
        int killed = 0;
        for (int i = 0; i < kills; i++) {
            Process process = connector.start(env, "crash-" + i);
            // the kill lands at a random moment of the work, not of the JVM's start-up (some seconds here)
            if (!untilWorking(connector, "crash-" + i, process)
                    || process.waitFor(200 + random.nextInt(1500), TimeUnit.MILLISECONDS)) {
                break; // caught up before the kill: the backlog is done
            }
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            killed++;
        }
        assertEquals(0, connector.run(env, "final"), "the run after the kills completes");

        Result audit = verify("Custom-Audit", expectedAudit(account.start.minusDays(days - 1L)));
        Result siem = verify("Custom-Seg_Cg", expectedSiem(account.start.minusDays(days - 1L)));
        Result awareness = verify(AWARENESS_STREAM, expectedAwareness());
        int auditResent = resentRequests("Custom-Audit");
        int siemResent = resentRequests("Custom-Seg_Cg");
        int awarenessResent = resentRequests(AWARENESS_STREAM);
        // duplicates per kill: the batches sent again, at most one for each kill and log type (they run side by side)
        record("kill -9 x" + killed + ", " + auditResent + " batches re-sent (audit)", audit);
        record("kill -9 x" + killed + ", " + siemResent + " batches re-sent (siem)", siem);
        int insideSnapshot = killsInsideTheSnapshot(connector, killed);
        record("kill -9 x" + killed + " (" + insideSnapshot + " in the snapshot), " + awarenessResent
                + " re-sent (awareness)", awareness);
        assertTrue(killed >= Math.min(kills, 5), "the kills landed while there was work: " + killed);
        assertNoSecrets(work);
        for (int resent : List.of(auditResent, siemResent, awarenessResent)) {
            assertTrue(resent <= killed, "at most one batch of a log type re-sent per kill: " + resent);
        }
        assertEquals(AWARENESS_USERS * AwarenessFeeds.CAMPAIGN_IDS.size(), awareness.delivered(),
                "one snapshot: every user of every campaign, whatever the kills");
        assertTrue(insideSnapshot >= 1, "a kill landed inside the Awareness Training snapshot");
    }

    /** Waits until the connector began its runs (it logged taking its lease); false when it ended first. */
    private static boolean untilWorking(ConnectorProcess connector, String name, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (Files.exists(connector.log(name))
                    && Files.readString(connector.log(name)).contains("this instance holds the lease")) {
                return true;
            }
            Thread.sleep(50);
        }
        return process.isAlive();
    }

    /**
     * How many kills landed while the Awareness Training snapshot was being sent: the processes from the one that
     * began it to the one that completed it.
     */
    private static int killsInsideTheSnapshot(ConnectorProcess connector, int killed) throws IOException {
        int began = -1;
        for (int i = 0; i <= killed; i++) {
            String log = Files.readString(i < killed ? connector.log("crash-" + i) : connector.log("final"));
            if (began < 0 && log.contains("awareness-user-data: a new snapshot")) {
                began = i;
            }
            if (began >= 0 && log.contains("awareness-user-data: run complete")) {
                return i - began;
            }
        }
        return 0;
    }

    @Test
    void sigtermEndsTheRunAfterThePageInFlightWithoutDuplicates() throws Exception {
        ConnectorProcess connector = new ConnectorProcess(work);
        account.simulator.awarenessUsers(AWARENESS_USERS);
        Map<String, String> env = new HashMap<>(account.environment("audit,siem,awareness-user-data",
                Map.of("MIMECAST_PAGE_SIZE", "50", "START_DATE", account.start.minusDays(4).toString())));
        Process process = connector.start(env, "terminated");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(connector.log("terminated")).contains("this instance holds the lease")
                && System.nanoTime() < deadline) {
            Thread.sleep(100); // until the first run has begun
        }
        Thread.sleep(700);
        assertTrue(process.isAlive(), "still working when terminated");
        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "stops within the shutdown timeout");
        assertTrue(process.exitValue() != 0, "RUN_ONCE cut short says so (143: ended by SIGTERM)");
        String log = Files.readString(connector.log("terminated"));
        assertTrue(log.contains("shutting down: the run ends here"), "the run ended between pages");

        assertEquals(0, connector.run(env, "after"));
        record("SIGTERM during a backlog (audit)", verify("Custom-Audit", expectedAudit(account.start.minusDays(4))));
        record("SIGTERM during a backlog (siem)", verify("Custom-Seg_Cg", expectedSiem(account.start.minusDays(4))));
        record("SIGTERM during a snapshot (awareness)", verify(AWARENESS_STREAM, expectedAwareness()));
    }

    /**
     * Two instances on one checkpoint store: one runs the log type, the other stands by and takes over once the
     * first dies. Also when both were given the same INSTANCE_ID (Azure grants a lease again to the same lease id):
     * the second process sees the first's live claim and stands by, saying why.
     */
    @ParameterizedTest(name = "same INSTANCE_ID: {0}")
    @ValueSource(booleans = { false, true })
    void twoInstancesNeverBothSendAndTheStandbyTakesOver(boolean sameInstanceId) throws Exception {
        Map<String, String> env = new HashMap<>(account.environment("audit", Map.of("MIMECAST_PAGE_SIZE", "50",
                "START_DATE", account.start.minusDays(3).toString(), "RUN_ONCE", "false",
                "SCHEDULE", "0/2 * * * * ?", "LEASE_DURATION", "PT15S")));
        if (sameInstanceId) {
            env.put("INSTANCE_ID", "connector-0");
        }
        ConnectorProcess one = new ConnectorProcess(Files.createDirectories(work.resolve("one")));
        ConnectorProcess two = new ConnectorProcess(Files.createDirectories(work.resolve("two")));
        Process first = one.start(env, "one");
        Process other = two.start(env, "two");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            ConnectorProcess leader = null;
            while (leader == null && System.nanoTime() < deadline) {
                Thread.sleep(500);
                leader = Files.readString(one.log("one")).contains("this instance holds the lease") ? one
                        : Files.readString(two.log("two")).contains("this instance holds the lease") ? two : null;
            }
            assertTrue(leader != null, "one instance took the lease");
            ConnectorProcess standby = leader == one ? two : one;
            String standbyLog = standby == one ? "one" : "two";
            // the other's first run (at its start-up, which may come seconds later on a busy machine) stands by
            long standbyDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(standby.log(standbyLog)).contains("standing by")
                    && System.nanoTime() < standbyDeadline) {
                Thread.sleep(500);
            }
            assertTrue(Files.readString(standby.log(standbyLog)).contains("standing by"), "the other stands by");
            assertTrue(!Files.readString(standby.log(standbyLog)).contains("this instance holds the lease"));
            if (sameInstanceId) {
                assertTrue(Files.readString(standby.log(standbyLog)).contains("another live process uses this "
                        + "INSTANCE_ID"), "and says why");
            }

            (leader == one ? first : other).destroyForcibly().waitFor(30, TimeUnit.SECONDS); // the leader dies
            long killedAt = System.nanoTime();
            while (!Files.readString(standby.log(standbyLog)).contains("this instance holds the lease")
                    && System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(40)) {
                Thread.sleep(500);
            }
            long takeover = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killedAt);
            assertTrue(Files.readString(standby.log(standbyLog)).contains("this instance holds the lease"),
                    "the standby took over");
            assertTrue(takeover <= 15 + 10, "within the lease time (and one check): " + takeover + " s");
            Thread.sleep(6000); // let it catch up
        } finally {
            first.destroy();
            other.destroy();
            first.waitFor(60, TimeUnit.SECONDS);
            other.waitFor(60, TimeUnit.SECONDS);
            Files.createDirectories(Path.of("target", "fault-logs"));
            String label = sameInstanceId ? "same-id-" : "";
            Files.copy(one.log("one"), Path.of("target", "fault-logs", "two-instances-" + label + "one.log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(two.log("two"), Path.of("target", "fault-logs", "two-instances-" + label + "two.log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Result result = verify("Custom-Audit", expectedAudit(account.start.minusDays(3)));
        int resent = resentRequests("Custom-Audit");
        TABLE.add(String.format("%-56s %8d %9d %10d %5d %13d  %s", sameInstanceId
                ? "two processes, one INSTANCE_ID, the holder killed" : "two instances, the lease holder killed",
                result.source(), result.delivered(), result.duplicates(), result.lost(), result.deadLettered(),
                result.lost() == 0 && resent <= 1 ? "PASS" : "FAIL"));
        assertEquals(0, result.lost(), "nothing lost");
        assertTrue(resent <= 1, "at most the batch in flight at the kill was sent again: " + resent);
    }

    @Test
    void badInputGoesToDeadLetterAndTheRestFlowsOn() throws Exception {
        long firstHour = account.start.atStartOfDay(ZoneOffset.UTC).toEpochSecond() / 3600;
        account.simulator.malformLineIn("/siem-files/cg/" + (firstHour + 1) + ".json.gz");
        account.simulator.truncate("/siem-files/cg/" + (firstHour + 3) + ".json.gz");
        assertEquals(0, account.runOnce("siem", Map.of()));
        Set<String> expected = expectedSiem(account.start);
        Map<String, Integer> delivered = account.azure.deliveredIds("Custom-Seg_Cg");
        Set<String> kept = account.simulator.events("/siem/v1/batch/events/cg").between(
                Instant.ofEpochSecond((firstHour + 3) * 3600), Instant.ofEpochSecond((firstHour + 4) * 3600 - 1))
                .stream().map(e -> EventIds.of(e, null, SIEM_KEYS)).collect(Collectors.toSet());
        Set<String> lost = new HashSet<>(expected);
        lost.removeAll(delivered.keySet());
        lost.removeAll(kept); // the truncated file is in the dead-letter location whole
        int deadLettered = account.deadLetters("siem").size();
        TABLE.add(String.format("%-56s %8d %9d %10d %5d %13d  %s", "bad input: bad lines, truncated gzip (siem)",
                expected.size(), delivered.size(), delivered.values().stream().mapToInt(n -> n - 1).sum(),
                lost.size(), deadLettered, lost.isEmpty() && deadLettered == 3 ? "PASS" : "FAIL"));
        assertTrue(lost.isEmpty(), "nothing lost");
        assertEquals(3, deadLettered, "two bad lines and the truncated file");
    }

    @Test
    void checkpointStoreOutageIsWaitedOutWithoutResending() throws Exception {
        String azurite = Azurite.connectionString().replaceAll(".*BlobEndpoint=(http://[^/]+)/.*", "$1");
        var proxy = new WireMockServer(
                WireMockConfiguration.options().bindAddress("127.0.0.1").port(0));
        proxy.start();
        try {
            proxy.stubFor(any(
                    anyUrl()).atPriority(10)
                    .willReturn(aResponse().proxiedFrom(azurite)));
            // the 3rd to 10th checkpoint writes find the store unavailable, then it is back
            String state = Scenario.STARTED;
            for (int i = 1; i <= 10; i++) {
                String next = "write-" + i;
                var write = put(
                        urlPathMatching(".*/checkpoints(/|%2F)audit\\.json"))
                        .atPriority(1).inScenario("outage").whenScenarioStateIs(state).willSetStateTo(next);
                proxy.stubFor(write.willReturn(i <= 2 ? aResponse().proxiedFrom(azurite)
                        : aResponse().withStatus(503).withBody("ServerBusy")));
                state = next;
            }
            String proxied = Azurite.connectionString().replace(azurite, "http://127.0.0.1:" + proxy.port());
            assertEquals(0, account.runOnce("audit", audit(Map.of("AZURE_STORAGE_CONNECTION_STRING", proxied))));
            assertTrue(proxy.findAll(putRequestedFor(
                    urlPathMatching(".*/checkpoints(/|%2F)audit\\.json")))
                    .size() >= 10, "the outage was met");
        } finally {
            proxy.stop();
        }
        record("Blob unavailable during checkpoint commits", verifyAudit());
    }

    /**
     * No secret value in any log of the connector's processes, nor in a checkpoint or dead-letter document:
     * client secrets, the storage account key, and every bearer token handed out.
     */
    private void assertNoSecrets(Path logs) throws Exception {
        Set<String> secrets = new HashSet<>(account.simulator.issuedTokens());
        secrets.addAll(List.of(com.mimecastsentinel.demo.MimecastSimulator.DEMO_CLIENT_SECRET,
                account.azure.clientSecret, Azurite.ACCOUNT_KEY, account.azure.token));
        StringBuilder written = new StringBuilder();
        try (var files = Files.list(logs)) {
            for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                written.append(Files.readString(log));
            }
        }
        var container = new com.azure.storage.blob.BlobServiceClientBuilder().connectionString(
                Azurite.connectionString()).buildClient().getBlobContainerClient(account.container);
        for (var blob : container.listBlobs()) {
            written.append(container.getBlobClient(blob.getName()).downloadContent().toString());
        }
        assertTrue(written.length() > 1_000, "there is output to check");
        for (String secret : secrets) {
            assertTrue(!written.toString().contains(secret), "a secret appeared in logs or stored documents");
        }
    }

    // ---- verification ----

    /** Counts for one scenario's table row. */
    record Result(int source, int delivered, int duplicates, int lost, int deadLettered) {
        boolean passed(int allowedDuplicates) {
            return lost == 0 && duplicates <= allowedDuplicates;
        }
    }

    private void record(String scenario, Result result) {
        boolean crash = scenario.startsWith("kill");
        boolean passed = crash ? result.lost() == 0 : result.passed(0);
        TABLE.add(String.format("%-56s %8d %9d %10d %5d %13d  %s", scenario, result.source(), result.delivered(),
                result.duplicates(), result.lost(), result.deadLettered(), passed ? "PASS" : "FAIL"));
        assertEquals(0, result.lost(), scenario + ": events lost");
        if (!crash) {
            assertEquals(0, result.duplicates(), scenario + ": events duplicated");
        }
    }

    private Result verifyAudit() throws Exception {
        return verify("Custom-Audit", expectedAudit(account.start));
    }

    private Set<String> expectedAudit(java.time.LocalDate from) throws Exception {
        Instant until = Instant.parse(account.checkpoint("audit").path("completedUntil").asText());
        return account.simulator.events(AUDIT).between(from.atStartOfDay(ZoneOffset.UTC).toInstant(), until)
                .stream().map(e -> e.path("id").asText()).collect(Collectors.toSet());
    }

    /** The ids of the phishing user data: one per user and campaign, a hash of the record as it is now. */
    private Set<String> expectedAwareness() {
        return AwarenessFeeds.CAMPAIGN_IDS.stream()
                .flatMap(campaign -> account.simulator.awarenessRecords(AwarenessFeeds.USER_DATA, campaign).stream())
                .map(r -> EventIds.of(r, null, List.of("*"))).collect(Collectors.toSet());
    }

    private Set<String> expectedSiem(java.time.LocalDate from) throws Exception {
        String token = account.checkpoint("siem").path("nextPage").asText();
        long nextHour = Long.parseLong(new String(java.util.Base64.getUrlDecoder().decode(token),
                java.nio.charset.StandardCharsets.UTF_8).substring("hour:".length()));
        return account.simulator.events("/siem/v1/batch/events/cg")
                .between(from.atStartOfDay(ZoneOffset.UTC).toInstant(), Instant.ofEpochSecond(nextHour * 3600 - 1))
                .stream().map(e -> EventIds.of(e, null, SIEM_KEYS)).collect(Collectors.toSet());
    }

    private Result verify(String stream, Set<String> expected) throws Exception {
        Map<String, Integer> delivered = account.azure.deliveredIds(stream);
        int duplicates = delivered.values().stream().mapToInt(n -> n - 1).sum();
        Set<String> lost = new HashSet<>(expected);
        lost.removeAll(delivered.keySet());
        return new Result(expected.size(), delivered.size(), duplicates, lost.size(), 0);
    }

    /** Accepted requests that carried at least one row an earlier accepted request already delivered. */
    private int resentRequests(String stream) throws Exception {
        List<ServeEvent> events = new ArrayList<>(account.azure.server.getAllServeEvents());
        java.util.Collections.reverse(events); // oldest first
        Set<String> seen = new HashSet<>();
        int resent = 0;
        for (ServeEvent served : events) {
            if (!served.getRequest().getUrl().startsWith(AzureFake.streamPath(stream))
                    || served.getResponse().getStatus() != 204) {
                continue;
            }
            boolean again = false;
            for (JsonNode row : json.readTree(served.getRequest().getBodyAsString())) {
                again |= !seen.add(row.path("mimecastEventId").asText());
            }
            resent += again ? 1 : 0;
        }
        return resent;
    }

    /** Edits a stored checkpoint as a skewed clock would have written it. */
    static final class ObjectNodeEditor {
        static void shiftCompletedUntil(SimulatedAccount account, String logType, Duration ahead) throws Exception {
            var blob = new com.azure.storage.blob.BlobServiceClientBuilder().connectionString(
                    Azurite.connectionString()).buildClient().getBlobContainerClient(account.container)
                    .getBlobClient("checkpoints/" + logType + ".json");
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper()
                    .readTree(blob.downloadContent().toBytes());
            node.put("completedUntil", Instant.now().plus(ahead).toString());
            blob.upload(com.azure.core.util.BinaryData.fromString(node.toString()), true);
        }
    }
}
