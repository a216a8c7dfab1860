package com.mimecastsentinel.logtypes;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.mimecastsentinel.demo.MimecastSimulator;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.HttpsFake;
import com.mimecastsentinel.support.SimulatedAccount;
import com.mimecastsentinel.support.TestTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four Mimecast accounts in one connector (MIMECAST_ACCOUNTS_FILE), each with its own simulator and DCR: one healthy,
 * one with a wrong secret, one whose API answers 429 for a while, one whose DCR refuses the identity. The healthy
 * ones deliver every event once; the failing ones are reported by account and their checkpoints stay untouched;
 * once the faults clear (the secret file rotated, the DCR granted) the next run catches up without duplicates.
 */
@ExtendWith(Azurite.class)
class ManyAccountsTest {
    private static final List<String> ACCOUNTS = List.of("acme", "globex", "initech", "umbrella");
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    private static String dcr(String account) {
        return "dcr-" + String.format("%032x", account.hashCode() & 0xffffffffL);
    }

    @Test
    void oneAccountsTroubleStaysItsOwnAndClearsWithoutDuplicates() throws Exception {
        try (SimulatedAccount connector = new SimulatedAccount(Duration.ofMinutes(30))) {
            Map<String, MimecastSimulator> simulators = new LinkedHashMap<>();
            simulators.put("acme", connector.simulator);
            for (String name : ACCOUNTS.subList(1, ACCOUNTS.size())) {
                MimecastSimulator simulator = new MimecastSimulator(0, Duration.ofMinutes(30), TestTls.serverContext());
                simulator.start();
                simulators.put(name, simulator);
            }
            try {
                connector.azure.acceptUploads();
                // umbrella's DCR refuses the identity (no role yet)
                var refused = connector.azure.server.stubFor(post(urlPathMatching("/dataCollectionRules/"
                        + dcr("umbrella") + "/.*")).atPriority(1).willReturn(aResponse().withStatus(403)));
                // initech's API rate-limits its first calls, asking for a second's wait each time
                simulators.get("initech").failAfter(0, 3, 429, Map.of("X-RateLimit-Reset", "1000"));
                Path secret = dir.resolve("globex-secret");
                Files.writeString(secret, "not-the-secret");
                Path accounts = accountsFile(simulators, connector, secret);

                Map<String, String> env = new HashMap<>(connector.environment("audit", Map.of(
                        "MIMECAST_ACCOUNTS_FILE", accounts.toString(), "MIMECAST_CLIENT_ID", "",
                        "MIMECAST_CLIENT_SECRET", "", "MIMECAST_LOG_TYPES", "")));
                int first = com.mimecastsentinel.Application.run(
                        com.mimecastsentinel.support.Settings4Tests.properties(env));

                assertEquals(1, first, "RUN_ONCE reports the failed accounts");
                Map<String, Integer> acme = delivered(connector, "acme");
                Map<String, Integer> initech = delivered(connector, "initech");
                assertFalse(acme.isEmpty());
                assertEquals(expected(simulators.get("acme"), connector), acme.keySet(), "acme: every event");
                assertTrue(acme.values().stream().allMatch(n -> n == 1), "acme: each once");
                assertEquals(expected(simulators.get("initech"), connector), initech.keySet(),
                        "initech: delivered after waiting out its rate limit");
                assertNotNull(checkpoint(connector, "acme"));
                assertNull(checkpoint(connector, "globex"), "globex: its checkpoint untouched");
                JsonNode umbrella = checkpoint(connector, "umbrella");
                assertTrue(umbrella == null || umbrella.path("completedUntil").isMissingNode()
                        || umbrella.path("completedUntil").isNull(), "umbrella: nothing committed");
                assertNull(checkpoint(connector, null), "no account of the MIMECAST_* settings ran");
                assertEquals(0, delivered(connector, "globex").size());

                // the faults clear: globex's secret rotated in its file, umbrella granted the role
                Files.writeString(secret, MimecastSimulator.DEMO_CLIENT_SECRET);
                connector.azure.server.removeStubMapping(refused);
                int second = com.mimecastsentinel.Application.run(
                        com.mimecastsentinel.support.Settings4Tests.properties(env));

                assertEquals(0, second);
                for (String name : ACCOUNTS) {
                    Map<String, Integer> rows = delivered(connector, name);
                    assertEquals(expected(simulators.get(name), connector), rows.keySet(), name + ": caught up");
                    assertTrue(rows.values().stream().allMatch(n -> n == 1), name + ": no event twice");
                    assertNotNull(checkpoint(connector, name), name + ": its own checkpoint");
                }
            } finally {
                simulators.values().stream().filter(s -> s != connector.simulator).forEach(MimecastSimulator::stop);
            }
        }
    }

    @Test
    void anEntryThatNamesNoLogTypesRunsThoseOfItsGenerationToItsOwnDestination() throws Exception {
        try (SimulatedAccount connector = new SimulatedAccount(Duration.ofMinutes(30))) {
            connector.azure.acceptUploads();
            connector.azure.acceptStixUploads();
            Path secret = Files.writeString(dir.resolve("secret"), MimecastSimulator.DEMO_CLIENT_SECRET);
            String workspace = "99999999-8888-7777-6666-555555555555";
            String url = HttpsFake.url(connector.azure.server);
            // the account's workspace is in a tenant of its own (a customer's): its tokens come from there
            String tenant = "22222222-3333-4444-5555-666666666666";
            connector.azure.server.stubFor(post(urlPathMatching("/" + tenant + "/oauth2/v2.0/token")).willReturn(
                    com.github.tomakehurst.wiremock.client.WireMock.okJson("{\"token_type\":\"Bearer\","
                            + "\"expires_in\":3600,\"access_token\":\"customer-tenant-token\"}")));
            Path accounts = Files.writeString(dir.resolve("accounts.yaml"), """
                    - name: solo
                      baseUrl: %s
                      clientId: %s
                      clientSecretFile: %s
                      startDate: %s
                      destination:
                        ingestionEndpoint: %s
                        dcrId: %s
                        awarenessIngestionEndpoint: %s
                        awarenessDcrId: %s
                        workspaceId: %s
                        tenantId: %s
                    """.formatted(connector.simulator.url(), MimecastSimulator.DEMO_CLIENT_ID, secret, connector.start,
                    url, dcr("solo"), url, dcr("solo-awareness"), workspace, tenant));
            // the settings name no Awareness Training DCR and another workspace: the account's own are used
            Map<String, String> env = new HashMap<>(connector.environment("audit", Map.of(
                    "MIMECAST_ACCOUNTS_FILE", accounts.toString(), "MIMECAST_CLIENT_ID", "",
                    "MIMECAST_CLIENT_SECRET", "", "MIMECAST_LOG_TYPES", "", "SENTINEL_AWARENESS_DCR_ID", "",
                    "SENTINEL_AWARENESS_INGESTION_ENDPOINT", "",
                    "SENTINEL_WORKSPACE_ID", "11111111-2222-3333-4444-555555555555",
                    "SENTINEL_TI_ENDPOINT", url)));

            assertEquals(0, com.mimecastsentinel.Application.run(
                    com.mimecastsentinel.support.Settings4Tests.properties(env)),
                    "every log type of API 2.0 ran; siem-legacy (API 1.0) was passed over, not failed");
            List<String> paths = connector.azure.server.getAllServeEvents().stream()
                    .map(event -> event.getRequest().getUrl()).toList();
            assertTrue(paths.stream().anyMatch(p -> p.startsWith("/dataCollectionRules/" + dcr("solo-awareness")
                    + "/streams/Custom-Awareness_")), "Awareness Training to the account's own DCR");
            assertTrue(paths.stream().noneMatch(p -> p.startsWith("/dataCollectionRules/" + dcr("solo")
                    + "/streams/Custom-Awareness_")), "none to its main DCR");
            assertTrue(paths.stream().anyMatch(p -> p.startsWith("/workspaces/" + workspace + "/")),
                    "threat intelligence to the account's workspace");
            assertTrue(paths.stream().noneMatch(p -> p.startsWith("/workspaces/11111111-")), "none to the settings'");
            List<String> tokens = connector.azure.server.getAllServeEvents().stream()
                    .filter(event -> event.getRequest().getUrl().startsWith("/dataCollectionRules/")
                            || event.getRequest().getUrl().startsWith("/workspaces/"))
                    .map(event -> event.getRequest().getHeader("Authorization")).distinct().toList();
            assertEquals(List.of("Bearer customer-tenant-token"), tokens, "every call to the account's DCRs and "
                    + "workspace with a token of their tenant");
            assertNull(checkpointOf(connector, "accounts/solo/siem-legacy"), "siem-legacy passed over");
            assertNotNull(checkpointOf(connector, "accounts/solo/ttp-url"));
        }
    }

    /**
     * Two accounts sharing the settings' DCR, whose tables declare the account column (SENTINEL_ACCOUNT_COLUMN), and
     * one sending to a DCR of its own that does not: each shared row names its account, every event of each once;
     * the other account's rows have no such column (the official tables' shape), except its Awareness Training
     * rows, which go to the settings' Awareness Training DCR (it names none of its own): those name it.
     */
    @Test
    void accountsSharingADcrNameTheirAccountInEachRow() throws Exception {
        try (SimulatedAccount connector = new SimulatedAccount(Duration.ofMinutes(30))) {
            connector.azure.acceptUploads();
            Path secret = Files.writeString(dir.resolve("secret"), MimecastSimulator.DEMO_CLIENT_SECRET);
            String yaml = entry(connector, secret, "north", "logTypes: [audit]")
                    + entry(connector, secret, "south", "logTypes: [audit]")
                    + entry(connector, secret, "apart", "logTypes: [audit, awareness-safe-score]",
                            "destination: {ingestionEndpoint: \"%s\", dcrId: %s}".formatted(
                                    HttpsFake.url(connector.azure.server), dcr("apart")));
            Path accounts = Files.writeString(dir.resolve("accounts.yaml"), yaml);
            Map<String, String> env = new HashMap<>(connector.environment("audit", Map.of(
                    "MIMECAST_ACCOUNTS_FILE", accounts.toString(), "MIMECAST_CLIENT_ID", "",
                    "MIMECAST_CLIENT_SECRET", "", "MIMECAST_LOG_TYPES", "", "SENTINEL_ACCOUNT_COLUMN", "true")));
            assertEquals(0, com.mimecastsentinel.Application.run(
                    com.mimecastsentinel.support.Settings4Tests.properties(env)));

            Set<String> expected = expected(connector.simulator, connector);
            Map<String, List<String>> shared = connector.azure.deliveredRows("Custom-Audit").stream().collect(
                    Collectors.groupingBy(row -> row.path("mimecastAccount").asText("(none)"), Collectors.mapping(
                            row -> row.path("mimecastEventId").asText(), Collectors.toList())));
            assertEquals(Set.of("north", "south"), shared.keySet(), "every shared row names its account");
            for (String name : shared.keySet()) {
                List<String> ids = shared.get(name);
                assertEquals(ids.size(), Set.copyOf(ids).size(), name + ": each event once");
                assertTrue(Set.copyOf(ids).containsAll(expected), name + ": every event of the day");
            }
            Map<String, Integer> apart = delivered(connector, "apart");
            assertTrue(apart.keySet().containsAll(expected) && apart.values().stream().allMatch(n -> n == 1),
                    "the account of its own DCR delivered each event once");
            for (ServeEvent event : connector.azure.server.getAllServeEvents()) {
                if (event.getRequest().getUrl().contains(dcr("apart"))) {
                    assertFalse(event.getRequest().getBodyAsString().contains("mimecastAccount"),
                            "no account column where its destination does not declare one");
                }
            }
            List<JsonNode> awareness = connector.azure.deliveredRows("Custom-Awareness_SafeScore_Details");
            assertFalse(awareness.isEmpty(), "Awareness Training rows to the settings' DCR");
            assertEquals(Set.of("apart"), awareness.stream().map(row -> row.path("mimecastAccount").asText("(none)"))
                    .collect(Collectors.toSet()), "rows to the shared DCR name their account");
        }
    }

    /**
     * Two instances on one checkpoint store with two declared accounts: each account runs on one instance at a time
     * (a lease per account), and when that instance dies the other takes its accounts over, nothing lost.
     */
    @Test
    void replicasLeadEachAccountsLogTypeOnceAndTakeOverWhenTheLeaderDies() throws Exception {
        try (SimulatedAccount connector = new SimulatedAccount(Duration.ofMinutes(30))) {
            connector.azure.acceptUploads();
            Path secret = Files.writeString(dir.resolve("secret"), MimecastSimulator.DEMO_CLIENT_SECRET);
            StringBuilder yaml = new StringBuilder();
            for (String name : List.of("north", "south")) {
                yaml.append(entry(connector, secret, name, "logTypes: [audit]", "schedule: \"0/2 * * * * ?\"",
                        "destination: {ingestionEndpoint: \"%s\", dcrId: %s}".formatted(
                                HttpsFake.url(connector.azure.server), dcr(name))));
            }
            Path accounts = Files.writeString(dir.resolve("accounts.yaml"), yaml);
            Map<String, String> env = new HashMap<>(connector.environment("audit", Map.of(
                    "MIMECAST_ACCOUNTS_FILE", accounts.toString(), "MIMECAST_CLIENT_ID", "",
                    "MIMECAST_CLIENT_SECRET", "", "MIMECAST_LOG_TYPES", "", "RUN_ONCE", "false",
                    "LEASE_DURATION", "PT15S")));
            com.mimecastsentinel.support.ConnectorProcess one = new com.mimecastsentinel.support.ConnectorProcess(
                    Files.createDirectories(dir.resolve("one")));
            com.mimecastsentinel.support.ConnectorProcess two = new com.mimecastsentinel.support.ConnectorProcess(
                    Files.createDirectories(dir.resolve("two")));
            Process first = one.start(env, "one");
            Process second = two.start(env, "two");
            try {
                // both accounts caught up, each by one instance
                awaitTrue(() -> delivered(connector, "north").keySet().equals(expected(connector.simulator, connector))
                        && delivered(connector, "south").keySet().equals(expected(connector.simulator, connector)),
                        60);
                Process leader = Files.readString(one.log("one")).contains("accounts/north: this instance holds the "
                        + "lease") ? first : second;
                leader.destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS); // north's leader dies
                var survivor = leader == first ? two : one;
                String name = leader == first ? "two" : "one";
                // one lease per account, whatever its log types
                awaitTrue(() -> Files.readString(survivor.log(name)).contains("accounts/north: this instance holds "
                        + "the lease") && Files.readString(survivor.log(name)).contains("accounts/south: this instance "
                        + "holds the lease"), 60);
                awaitTrue(() -> Files.readString(survivor.log(name)).contains("accounts/north/audit: run complete"),
                        60);
            } finally {
                first.destroy();
                second.destroy();
                first.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
                second.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            for (String name : List.of("north", "south")) {
                Map<String, Integer> rows = delivered(connector, name);
                assertEquals(expected(connector.simulator, connector), rows.keySet(), name + ": every event");
                long twice = rows.values().stream().filter(n -> n > 1).count();
                assertTrue(twice <= 50, name + ": at most the batch in flight at the kill sent again: " + twice);
            }
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Condition condition, int seconds) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < deadline, "within " + seconds + " s");
            Thread.sleep(300);
        }
    }

    /** An entry of the accounts file for the connector's simulator, with these lines besides. */
    private static String entry(SimulatedAccount connector, Path secret, String name, String... lines) {
        StringBuilder entry = new StringBuilder("- name: " + name + "\n  baseUrl: " + connector.simulator.url()
                + "\n  clientId: " + MimecastSimulator.DEMO_CLIENT_ID + "\n  clientSecretFile: " + secret
                + "\n  startDate: " + connector.start + "\n");
        for (String line : lines) {
            entry.append("  ").append(line).append('\n');
        }
        return entry.toString();
    }

    private JsonNode checkpointOf(SimulatedAccount connector, String name) throws Exception {
        var blob = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .getBlobContainerClient(connector.container).getBlobClient("checkpoints/" + name + ".json");
        return blob.exists() ? json.readTree(blob.downloadContent().toBytes()) : null;
    }

    private Path accountsFile(Map<String, MimecastSimulator> simulators, SimulatedAccount connector, Path globex)
            throws Exception {
        Path secret = dir.resolve("demo-secret");
        Files.writeString(secret, MimecastSimulator.DEMO_CLIENT_SECRET);
        StringBuilder yaml = new StringBuilder();
        for (var account : simulators.entrySet()) {
            yaml.append("- name: ").append(account.getKey()).append('\n')
                    .append("  baseUrl: ").append(account.getValue().url()).append('\n')
                    .append("  clientId: ").append(MimecastSimulator.DEMO_CLIENT_ID).append('\n')
                    .append("  clientSecretFile: ").append(account.getKey().equals("globex") ? globex : secret)
                    .append('\n')
                    .append("  logTypes: [audit]\n")
                    .append("  startDate: ").append(connector.start).append('\n')
                    .append("  destination:\n")
                    .append("    ingestionEndpoint: ").append(HttpsFake.url(connector.azure.server)).append('\n')
                    .append("    dcrId: ").append(dcr(account.getKey())).append('\n');
        }
        Path file = dir.resolve("accounts.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** The audit events the simulator holds from the start day on, by id. */
    private Set<String> expected(MimecastSimulator simulator, SimulatedAccount connector) {
        Instant from = connector.start.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        return simulator.events("/api/audit/get-audit-events").between(from, Instant.now()).stream()
                .map(event -> event.path("id").asText()).collect(Collectors.toSet());
    }

    /** The ids of the audit rows accepted (204) for an account's DCR, with how often each was accepted. */
    private Map<String, Integer> delivered(SimulatedAccount connector, String account) throws Exception {
        Map<String, Integer> ids = new HashMap<>();
        for (ServeEvent event : connector.azure.server.getAllServeEvents()) {
            if (event.getRequest().getUrl().startsWith("/dataCollectionRules/" + dcr(account) + "/streams/Custom-Audit")
                    && event.getResponse().getStatus() == 204) {
                for (JsonNode row : json.readTree(event.getRequest().getBodyAsString())) {
                    ids.merge(row.path("id").asText(), 1, Integer::sum);
                }
            }
        }
        return ids;
    }

    /** An account's audit checkpoint (null: the MIMECAST_* settings' one), or null when none was written. */
    private JsonNode checkpoint(SimulatedAccount connector, String account) throws Exception {
        var blob = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .getBlobContainerClient(connector.container).getBlobClient("checkpoints/"
                        + (account == null ? "" : "accounts/" + account + "/") + "audit.json");
        return blob.exists() ? json.readTree(blob.downloadContent().toBytes()) : null;
    }
}
