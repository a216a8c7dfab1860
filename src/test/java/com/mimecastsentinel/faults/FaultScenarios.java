package com.mimecastsentinel.faults;

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
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.mimecastsentinel.demo.AwarenessFeeds;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.AzureFake;
import com.mimecastsentinel.support.SimulatedAccount;
import com.mimecastsentinel.transform.EventIds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the fault suite's scenarios share: a simulated Mimecast account (HTTPS) with the Azure fakes and a Blob
 * container on Azurite per scenario, the count of what was delivered, duplicated, lost and dead-lettered against what
 * the source holds, and the suite's table. The scenarios are four classes ({@link FaultSuiteTest},
 * {@link DegradedApisTest}, {@link CrashTest}, {@link TwoInstancesTest}) so that surefire's test JVMs share them;
 * each writes its rows to {@code target/fault-suite/<class>.txt} and the whole table is {@code target/fault-suite.txt}
 * ({@code .ci/fault-suite} prints it).
 */
@ExtendWith(Azurite.class)
abstract class FaultScenarios {
    static final String AUDIT = "/api/audit/get-audit-events";
    static final String AWARENESS_STREAM = "Custom-Awareness_User_Data";
    static final List<String> SIEM_KEYS = List.of("processingId", "aggregateId", "type", "subtype",
            "timestamp", "action", "messageId", "accountId");
    private static final String COLUMNS = "%-56s %8s %9s %10s %5s %13s  %s";
    private static final Map<Class<?>, List<String>> ROWS = new java.util.concurrent.ConcurrentHashMap<>();
    private final ObjectMapper json = new ObjectMapper();
    SimulatedAccount account;

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

    /**
     * This class's rows to {@code target/fault-suite/<class>.txt}, then the table of every class's rows to
     * {@code target/fault-suite.txt} (under a file lock: another test JVM may be writing its own).
     */
    @AfterAll
    static void writeTable(TestInfo info) throws IOException {
        Class<?> suite = info.getTestClass().orElseThrow();
        Path rows = Files.createDirectories(Path.of("target", "fault-suite"));
        Files.write(rows.resolve(suite.getSimpleName() + ".txt"), ROWS.getOrDefault(suite, List.of()));
        try (var lock = java.nio.channels.FileChannel.open(rows.resolve(".lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                var held = lock.lock()) {
            List<String> table = new ArrayList<>();
            table.add(String.format(COLUMNS, "scenario", "source", "delivered", "duplicates", "lost", "dead-lettered",
                    "result"));
            try (var files = Files.list(rows)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".txt")).sorted().toList()) {
                    table.addAll(Files.readAllLines(file));
                }
            }
            Files.write(Path.of("target", "fault-suite.txt"), table);
        }
        ROWS.getOrDefault(suite, List.of()).forEach(System.out::println);
    }

    Map<String, String> audit(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("MIMECAST_PAGE_SIZE", "100");
        return env;
    }

    /** A row of the table. */
    void row(String scenario, int source, int delivered, int duplicates, int lost, int deadLettered, String result) {
        ROWS.computeIfAbsent(getClass(), c -> java.util.Collections.synchronizedList(new ArrayList<>()))
                .add(String.format(COLUMNS, scenario, source, delivered, duplicates, lost, deadLettered, result));
    }

    /**
     * No secret value in any log of the connector's processes, nor in a checkpoint or dead-letter document:
     * client secrets, the storage account key, and every bearer token handed out.
     */
    void assertNoSecrets(Path logs) throws Exception {
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

    void record(String scenario, Result result) {
        boolean crash = scenario.startsWith("kill");
        boolean passed = crash ? result.lost() == 0 : result.passed(0);
        row(scenario, result.source(), result.delivered(), result.duplicates(), result.lost(), result.deadLettered(),
                passed ? "PASS" : "FAIL");
        assertEquals(0, result.lost(), scenario + ": events lost");
        if (!crash) {
            assertEquals(0, result.duplicates(), scenario + ": events duplicated");
        }
    }

    Result verifyAudit() throws Exception {
        return verify("Custom-Audit", expectedAudit(account.start));
    }

    Set<String> expectedAudit(java.time.LocalDate from) throws Exception {
        Instant until = Instant.parse(account.checkpoint("audit").path("completedUntil").asText());
        return account.simulator.events(AUDIT).between(from.atStartOfDay(ZoneOffset.UTC).toInstant(), until)
                .stream().map(e -> e.path("id").asText()).collect(Collectors.toSet());
    }

    /** The ids of the phishing user data: one per user and campaign, a hash of the record as it is now. */
    Set<String> expectedAwareness() {
        return AwarenessFeeds.CAMPAIGN_IDS.stream()
                .flatMap(campaign -> account.simulator.awarenessRecords(AwarenessFeeds.USER_DATA, campaign).stream())
                .map(r -> EventIds.of(r, null, List.of("*"))).collect(Collectors.toSet());
    }

    Set<String> expectedSiem(java.time.LocalDate from) throws Exception {
        String token = account.checkpoint("siem").path("nextPage").asText();
        long nextHour = Long.parseLong(new String(java.util.Base64.getUrlDecoder().decode(token),
                java.nio.charset.StandardCharsets.UTF_8).substring("hour:".length()));
        return account.simulator.events("/siem/v1/batch/events/cg")
                .between(from.atStartOfDay(ZoneOffset.UTC).toInstant(), Instant.ofEpochSecond(nextHour * 3600 - 1))
                .stream().map(e -> EventIds.of(e, null, SIEM_KEYS)).collect(Collectors.toSet());
    }

    Result verify(String stream, Set<String> expected) throws Exception {
        Map<String, Integer> delivered = account.azure.deliveredIds(stream);
        int duplicates = delivered.values().stream().mapToInt(n -> n - 1).sum();
        Set<String> lost = new HashSet<>(expected);
        lost.removeAll(delivered.keySet());
        return new Result(expected.size(), delivered.size(), duplicates, lost.size(), 0);
    }

    /** Accepted requests that carried at least one row an earlier accepted request already delivered. */
    int resentRequests(String stream) throws Exception {
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
}
