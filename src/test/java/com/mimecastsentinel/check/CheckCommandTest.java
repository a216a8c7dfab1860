package com.mimecastsentinel.check;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.demo.MimecastSimulator;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.AzureFake;
import com.mimecastsentinel.support.HttpsFake;
import com.mimecastsentinel.support.Settings4Tests;
import com.mimecastsentinel.support.SimulatedAccount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check command against the simulator, the Azure fake and Azurite: what passes, each fault explained with what to
 * do and the exit status a script sees, no row written, and a run after a passing check delivering.
 */
@ExtendWith(Azurite.class)
class CheckCommandTest {
    private static final String WORKSPACE = "11111111-2222-3333-4444-555555555555";
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    /** What one check printed (its JSON report) and its exit status. */
    private record Checked(int status, String printed, JsonNode report) {
        JsonNode row(String check) {
            for (JsonNode row : report.path("checks")) {
                if (row.path("check").asText().equals(check)) {
                    return row;
                }
            }
            throw new AssertionError("no check '" + check + "' in " + printed);
        }

        String result(String check) {
            return row(check).path("result").asText();
        }

        String says(String check) {
            return row(check).path("detail").asText() + " / " + row(check).path("fix").asText();
        }
    }

    /**
     * @param settings    the variables a run would read (as properties: a test cannot set the JVM's environment)
     * @param environment the variables the check sees set (a typo among them)
     */
    private Checked check(Map<String, String> settings, Map<String, String> environment, Clock clock)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = CheckCommand.run(List.of("check", "--json"), Settings4Tests.properties(settings), environment,
                clock, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                        StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        return new Checked(status, printed + err.toString(StandardCharsets.UTF_8), json.readTree(printed));
    }

    private Checked check(Map<String, String> environment) throws Exception {
        return check(environment, environment, Clock.systemUTC());
    }

    /** The simulated account's variables for a check of {@code logTypes} (null: every log type). */
    private static Map<String, String> environment(SimulatedAccount account, String logTypes, Map<String, String> extra) {
        Map<String, String> env = new LinkedHashMap<>(account.environment(logTypes == null ? "audit" : logTypes, extra));
        env.remove("RUN_ONCE");
        if (logTypes == null) {
            env.remove("MIMECAST_LOG_TYPES");
        }
        return env;
    }

    private static List<String> logTypes() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            return files.map(f -> f.getFileName().toString().replace(".yaml", ""))
                    .filter(name -> !name.equals("templates") && !name.equals("mimecast-api")).sorted().toList();
        }
    }

    @Test
    void theDemoPassesWritesNoRowAndPointsOutATypo() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("OUTPUT_DIR", dir.resolve("out").toString());
        env.put("CHECKPOINT_DIR", dir.resolve("checkpoints").toString());
        env.put("DEAD_LETTER_DIR", dir.resolve("dead-letter").toString());
        Map<String, String> environment = new LinkedHashMap<>(env);
        environment.put("MIMECAST_LOGTYPES", "audit");

        Checked checked = check(env, environment, Clock.systemUTC());

        assertEquals(0, checked.status(), checked.printed());
        assertTrue(checked.report().path("passed").asBoolean());
        for (String logType : logTypes()) {
            assertEquals("PASS", checked.result("mimecast " + logType), checked.printed());
            assertEquals("PASS", checked.result("sentinel " + logType), checked.printed());
        }
        assertEquals("PASS", checked.result("mimecast credentials"));
        assertEquals("PASS", checked.result("clock"));
        assertEquals("WARN", checked.result("variable MIMECAST_LOGTYPES"));
        assertTrue(checked.says("variable MIMECAST_LOGTYPES").contains("MIMECAST_LOG_TYPES"), checked.printed());
        try (Stream<Path> written = Files.walk(dir)) {
            assertEquals(List.of(), written.filter(Files::isRegularFile).toList(), "no row, no checkpoint written");
        }
    }

    @Test
    void aDeploymentThatPassesWritesNoRowAndItsFirstRunDelivers() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            account.azure.acceptUploads();
            account.azure.acceptStixUploads();
            Map<String, String> env = environment(account, null, Map.of("SENTINEL_WORKSPACE_ID", WORKSPACE,
                    "SENTINEL_TI_ENDPOINT", HttpsFake.url(account.azure.server)));

            long started = System.nanoTime();
            Checked checked = check(env);
            long millis = (System.nanoTime() - started) / 1_000_000;

            assertEquals(0, checked.status(), checked.printed());
            for (String logType : logTypes()) {
                // API 2.0 credentials: the API 1.0 SIEM log type is passed over, as a run passes it over
                String expected = logType.equals("siem-legacy") ? "SKIP" : "PASS";
                assertEquals(expected, checked.result("mimecast " + logType), checked.printed());
            }
            assertEquals("PASS", checked.result("sentinel audit"));
            assertEquals("PASS", checked.result("sentinel awareness-watchlist"));
            assertEquals("PASS", checked.result("sentinel threat-intel"));
            assertEquals("PASS", checked.result("checkpoint store"), checked.printed());
            assertEquals("PASS", checked.result("azure token (logs ingestion)"));
            assertEquals("PASS", checked.result("azure token (resource manager, STIX upload)"));
            assertEquals("PASS", checked.result("clock"));
            System.out.println("check of every log type took " + millis + " ms");

            var uploads = account.azure.server.findAll(postRequestedFor(urlPathMatching("/dataCollectionRules/.*")));
            assertFalse(uploads.isEmpty());
            uploads.forEach(upload -> assertEquals("[]", upload.getBodyAsString(), "an empty upload: no row"));
            var stix = account.azure.server.findAll(postRequestedFor(urlPathMatching("/workspaces/.*")));
            assertEquals(1, stix.size());
            assertEquals(0, json.readTree(stix.get(0).getBodyAsString()).path("stixobjects").size());
            var container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                    .getBlobContainerClient(account.container);
            assertEquals(List.of(), container.listBlobs().stream().map(b -> b.getName()).toList(),
                    "the probe document deleted, no checkpoint written");

            assertEquals(0, account.runOnce("audit", Map.of()));
            assertFalse(account.azure.deliveredIds("Custom-Audit").isEmpty(), "the first run delivers");
        }
    }

    /**
     * A log type a run passes over is not called, and said to be passed over, for the reason the run has: here
     * Awareness Training without its DCR (not named in MIMECAST_LOG_TYPES: a run leaves it alone quietly); named,
     * it fails naming the setting, as a run does.
     */
    @Test
    void whatARunPassesOverIsSkippedAndWhatItRefusesFails() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            account.azure.acceptUploads();
            Map<String, String> noAwarenessDcr = Map.of("SENTINEL_AWARENESS_DCR_ID", "",
                    "SENTINEL_AWARENESS_INGESTION_ENDPOINT", "");
            Checked quiet = check(environment(account, "", noAwarenessDcr));
            assertEquals("SKIP", quiet.result("mimecast awareness-safe-score"), quiet.printed());
            assertTrue(quiet.says("mimecast awareness-safe-score").contains("no Awareness Training DCR"),
                    quiet.printed());
            Checked named = check(environment(account, "audit,awareness-safe-score", noAwarenessDcr));
            assertEquals("FAIL", named.result("mimecast awareness-safe-score"), named.printed());
            assertTrue(named.says("mimecast awareness-safe-score").contains("SENTINEL_AWARENESS_DCR_ID"),
                    named.printed());
        }
    }

    @Test
    void api10SignedRequestsPassAndAWrongKeyIsExplained() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            account.azure.acceptUploads();
            Map<String, String> legacy = new LinkedHashMap<>(Map.of("MIMECAST_CLIENT_ID", "", "MIMECAST_CLIENT_SECRET",
                    "", "MIMECAST_APP_ID", MimecastSimulator.DEMO_APP_ID, "MIMECAST_APP_KEY",
                    MimecastSimulator.DEMO_APP_KEY, "MIMECAST_ACCESS_KEY", MimecastSimulator.DEMO_ACCESS_KEY,
                    "MIMECAST_SECRET_KEY", MimecastSimulator.DEMO_SECRET_KEY));

            Checked checked = check(environment(account, "siem-legacy,audit,siem", legacy));
            assertEquals(1, checked.status(), checked.printed());
            assertEquals("PASS", checked.result("mimecast credentials"), "the signed calls were taken");
            assertEquals("PASS", checked.result("mimecast siem-legacy"), checked.printed());
            assertEquals("PASS", checked.result("mimecast audit"));
            assertEquals("FAIL", checked.result("mimecast siem"), "named, but it needs API 2.0");
            assertTrue(checked.says("mimecast siem").contains("MIMECAST_CLIENT_ID and MIMECAST_CLIENT_SECRET"));

            legacy.put("MIMECAST_SECRET_KEY", java.util.Base64.getEncoder().encodeToString("not-the-key".getBytes(
                    StandardCharsets.UTF_8)));
            Checked wrongKey = check(environment(account, "audit", legacy));
            assertEquals(1, wrongKey.status(), wrongKey.printed());
            assertEquals("FAIL", wrongKey.result("mimecast credentials"), wrongKey.printed());
            assertEquals("FAIL", wrongKey.result("mimecast audit"));
            assertTrue(wrongKey.says("mimecast audit").contains("refused the credentials")
                    && wrongKey.says("mimecast audit").contains("MIMECAST_SECRET_KEY"), wrongKey.printed());
        }
    }

    @Test
    void aMimecastThatDoesNotAnswerIsReportedAsSuch() throws Exception {
        var silent = HttpsFake.start();
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            account.azure.acceptUploads();
            silent.stubFor(post(urlPathMatching("/.*")).willReturn(aResponse().withStatus(200).withFixedDelay(5000)));
            Map<String, String> env = environment(account, "audit,dlp", Map.of("MIMECAST_BASE_URL",
                    HttpsFake.url(silent), "HTTP_TIMEOUT", "PT1S", "MIMECAST_CLIENT_ID", "", "MIMECAST_CLIENT_SECRET",
                    "", "MIMECAST_APP_ID", MimecastSimulator.DEMO_APP_ID, "MIMECAST_APP_KEY",
                    MimecastSimulator.DEMO_APP_KEY, "MIMECAST_ACCESS_KEY", MimecastSimulator.DEMO_ACCESS_KEY,
                    "MIMECAST_SECRET_KEY", MimecastSimulator.DEMO_SECRET_KEY));

            Checked checked = check(env);

            assertEquals(1, checked.status(), checked.printed());
            for (String logType : List.of("audit", "dlp")) {
                assertEquals("FAIL", checked.result("mimecast " + logType));
                assertTrue(checked.says("mimecast " + logType).contains("no answer from " + HttpsFake.url(silent)),
                        checked.printed());
            }
            assertEquals("PASS", checked.result("sentinel audit"), "the destinations are checked all the same");
            assertEquals("SKIP", checked.result("clock"), "no answer, no Date");
        } finally {
            silent.stop();
        }
    }

    @Test
    void everyDeclaredAccountIsCheckedAndTheOneThatFailsIsNamed() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            account.azure.acceptUploads();
            Path good = Files.writeString(dir.resolve("good"), MimecastSimulator.DEMO_CLIENT_SECRET);
            Path bad = Files.writeString(dir.resolve("bad"), "not-the-secret");
            String entry = """
                    - name: %s
                      baseUrl: %s
                      clientId: %s
                      clientSecretFile: %s
                      logTypes: [audit]
                      destination: {ingestionEndpoint: "%s", dcrId: dcr-%s}
                    """;
            Path accounts = Files.writeString(dir.resolve("accounts.yaml"),
                    entry.formatted("north", account.simulator.url(), MimecastSimulator.DEMO_CLIENT_ID, good,
                            HttpsFake.url(account.azure.server), "0".repeat(31) + "9")
                    + entry.formatted("south", account.simulator.url(), MimecastSimulator.DEMO_CLIENT_ID, bad,
                            HttpsFake.url(account.azure.server), "0".repeat(31) + "8"));
            Map<String, String> env = environment(account, null, Map.of("MIMECAST_ACCOUNTS_FILE", accounts.toString(),
                    "MIMECAST_CLIENT_ID", "", "MIMECAST_CLIENT_SECRET", ""));

            Checked checked = check(env);

            assertEquals(1, checked.status(), checked.printed());
            assertEquals("PASS", checked.result("mimecast credentials accounts/north"));
            assertEquals("PASS", checked.result("mimecast accounts/north/audit"));
            assertEquals("PASS", checked.result("sentinel accounts/north/audit"));
            assertTrue(checked.says("sentinel accounts/north/audit").contains("dcr-" + "0".repeat(31) + "9"),
                    "its own DCR: " + checked.printed());
            assertEquals("FAIL", checked.result("mimecast credentials accounts/south"));
            assertTrue(checked.says("mimecast credentials accounts/south").contains("MIMECAST_ACCOUNTS_FILE"));
            assertEquals("SKIP", checked.result("mimecast accounts/south/audit"));
            assertEquals("SKIP", checked.result("mimecast audit"), "no account of the MIMECAST_* settings");
        }
    }

    @Test
    void aWrongSecretIsExplainedAndNeverPrinted() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            account.azure.acceptUploads();
            String wrong = "wrong-secret-" + UUID.randomUUID();
            Checked checked = check(environment(account, "audit,dlp", Map.of("MIMECAST_CLIENT_SECRET", wrong)));

            assertEquals(1, checked.status(), checked.printed());
            assertEquals("FAIL", checked.result("mimecast credentials"));
            assertTrue(checked.says("mimecast credentials").contains("MIMECAST_CLIENT_SECRET"), checked.printed());
            assertEquals("SKIP", checked.result("mimecast audit"));
            assertEquals("SKIP", checked.result("mimecast dlp"));
            assertFalse(checked.printed().contains(wrong), "the secret is never printed");
            assertEquals(0, account.simulator.apiRequests(), "no log type's call made without credentials");
        }
    }

    @Test
    void aProductNotEnabledAndAMissingPermissionAreToldApart() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            account.azure.acceptUploads();
            account.simulator.notLicensed("/api/audit/get-audit-events");
            account.simulator.withoutPermission("/api/dlp/get-logs");

            Checked checked = check(environment(account, "audit,dlp,ttp-url", Map.of()));

            assertEquals(1, checked.status(), checked.printed());
            assertEquals("FAIL", checked.result("mimecast audit"));
            assertTrue(checked.says("mimecast audit").contains("no product that serves /api/audit/get-audit-events"),
                    checked.printed());
            assertEquals("FAIL", checked.result("mimecast dlp"));
            assertTrue(checked.says("mimecast dlp").contains("grant the API user's role the permission "
                    + "'Monitoring | DLP | Read'"), checked.printed());
            assertEquals("PASS", checked.result("mimecast ttp-url"));
        }
    }

    @Test
    void aStreamTheDcrDoesNotDeclareAndADcrOrWorkspaceThatRefusesTheIdentityFail() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            AzureFake azure = account.azure;
            azure.acceptUploads();
            // the DCR does not declare the audit stream (the answer's shape is assumed), and the Awareness Training
            // DCR refuses the identity (as the service words it)
            azure.server.stubFor(post(urlPathEqualTo(AzureFake.streamPath("Custom-Audit"))).atPriority(1)
                    .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                            .withBody("{\"error\":{\"code\":\"NotFound\",\"message\":\"Stream Custom-Audit "
                                    + "not found in the data collection rule\"}}")));
            azure.server.stubFor(post(urlPathMatching("/dataCollectionRules/" + AzureFake.AWARENESS_DCR + "/.*"))
                    .atPriority(1).willReturn(aResponse().withStatus(403).withHeader("Content-Type",
                            "application/json").withBody("{\"error\":{\"code\":\"OperationFailed\",\"message\":\"The "
                                    + "authentication token provided does not have access to ingest data for the data "
                                    + "collection rule with immutable Id '" + AzureFake.AWARENESS_DCR + "'\"}}")));

            // and the STIX upload refuses the identity on the workspace
            azure.server.stubFor(post(urlPathMatching("/workspaces/.*")).willReturn(aResponse().withStatus(403)
                    .withBody("{\"error\":{\"code\":\"UnauthorizedAccess\"}}")));

            Checked checked = check(environment(account, "audit,dlp,awareness-watchlist,threat-intel", Map.of(
                    "SENTINEL_WORKSPACE_ID", WORKSPACE, "SENTINEL_TI_ENDPOINT", HttpsFake.url(azure.server))));

            assertEquals(1, checked.status(), checked.printed());
            assertEquals("FAIL", checked.result("sentinel audit"));
            assertTrue(checked.says("sentinel audit").contains("declares stream Custom-Audit"), checked.printed());
            assertEquals("PASS", checked.result("sentinel dlp"));
            assertEquals("FAIL", checked.result("sentinel awareness-watchlist"));
            assertTrue(checked.says("sentinel awareness-watchlist").contains("'Monitoring Metrics Publisher' role on "
                    + "DCR " + AzureFake.AWARENESS_DCR), checked.printed());
            assertEquals("FAIL", checked.result("sentinel threat-intel"));
            assertTrue(checked.says("sentinel threat-intel").contains("'Microsoft Sentinel Contributor' on the "
                    + "workspace"), checked.printed());
            assertEquals("PASS", checked.result("mimecast audit"), "Mimecast's side is fine");
        }
    }

    @Test
    void aReadOnlyContainerFailsTheCheckpointStore() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            account.azure.acceptUploads();
            new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                    .createBlobContainer(account.container);
            String readOnly = Azurite.sasConnectionString("rl");

            Checked checked = check(environment(account, "audit", Map.of("AZURE_STORAGE_CONNECTION_STRING", readOnly)));

            assertEquals(1, checked.status(), checked.printed());
            assertEquals("FAIL", checked.result("checkpoint store"));
            assertTrue(checked.says("checkpoint store").contains("could not write a probe document (HTTP 403"),
                    checked.printed());
            assertFalse(checked.printed().contains(readOnly.substring(readOnly.indexOf("sig="))), "no SAS printed");
        }
    }

    @Test
    void aClockAheadOfMimecastsByMoreThanTheOverlapFails() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            account.azure.acceptUploads();
            Map<String, String> env = environment(account, "audit", Map.of());
            Checked checked = check(env, env, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(20)));

            assertEquals(1, checked.status(), checked.printed());
            assertEquals("FAIL", checked.result("clock"));
            assertTrue(checked.says("clock").contains("ahead of Mimecast's, more than MIMECAST_OVERLAP (PT15M)"),
                    checked.printed());
        }
    }
}
