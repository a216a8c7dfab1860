package com.mimecastsentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.mimecastsentinel.demo.MimecastSimulator;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.ConnectorProcess;
import com.mimecastsentinel.support.HttpsFake;
import com.mimecastsentinel.support.SimulatedAccount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets never appear in anything the connector writes, at the most verbose log level: the connector in its own
 * JVM with {@code LOG_LEVEL=TRACE} (and the Azure SDK at TRACE too), every log type of one API generation, secrets
 * given in all three ways (a variable, a {@code <NAME>_FILE}, a literal in application.properties). Then its
 * output (stdout and stderr), every file it wrote, every blob in its container (checkpoints, dead letters,
 * leases), its metrics and its health answers are searched for each secret and for every token and signature
 * the fakes handed out or checked.
 */
@ExtendWith(Azurite.class)
class SecretsNeverWrittenTest {
    private static final String WORKSPACE = "11111111-2222-3333-4444-555555555555";
    /** Log types each API generation runs (the others need the other generation's credentials). */
    private static final List<String> PAGED = List.of("audit", "dlp", "ttp-url", "ttp-attachment", "ttp-impersonation",
            "archive-search", "held-release", "threat-intel");

    private final HttpClient http = HttpClient.newHttpClient();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path work;

    @Test
    void api20() throws Exception {
        var credentials = new MimecastSimulator.Credentials("it-client-" + run, "mc-client-secret-" + run,
                "unused", "unused", "unused", "dW51c2Vk");
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(20))) {
            account.simulator.useCredentials(credentials);
            ConnectorProcess connector = new ConnectorProcess(work);
            Map<String, String> env = environment(account);
            env.put("MIMECAST_CLIENT_ID", credentials.clientId());
            env.put("MIMECAST_CLIENT_SECRET", credentials.clientSecret()); // a variable
            env.remove("AZURE_CLIENT_SECRET");
            env.put("AZURE_CLIENT_SECRET_FILE", secretFile("azure-secret", account.azure.clientSecret).toString());
            env.remove("AZURE_STORAGE_CONNECTION_STRING");
            literal("azure.storage.connection-string", Azurite.connectionString()); // a literal: the account key

            List<String> logTypes = new ArrayList<>(PAGED);
            logTypes.addAll(List.of("siem", "cloud-integrated"));
            Map<String, String> secrets = new LinkedHashMap<>();
            secrets.put("the Mimecast client secret", credentials.clientSecret());
            secrets.put("the Mimecast client secret (form-encoded)",
                    URLEncoder.encode(credentials.clientSecret(), StandardCharsets.UTF_8));
            String output = runAndCollect(connector, env, logTypes, account);
            secrets.putAll(common(account));
            int n = 0;
            for (String token : account.simulator.issuedTokens()) {
                secrets.put("Mimecast bearer token " + ++n, token);
            }
            n = 0;
            for (String signature : account.simulator.urlSignatures()) {
                secrets.put("pre-signed file URL signature " + ++n, signature);
            }
            assertTrue(account.simulator.issuedTokens().size() >= 1 && account.simulator.urlSignatures().size() > 1,
                    "tokens and file URLs were handed out");
            assertClean(output, secrets);
        }
    }

    @Test
    void api10() throws Exception {
        String secretKey = Base64.getEncoder().encodeToString(("mc-secret-key-" + run).getBytes(StandardCharsets.UTF_8));
        var credentials = new MimecastSimulator.Credentials("unused", "unused", "it-app-" + run,
                "mc-app-key-" + run, "mc-access-key-" + run, secretKey);
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(20))) {
            account.simulator.useCredentials(credentials);
            ConnectorProcess connector = new ConnectorProcess(work);
            Map<String, String> env = environment(account);
            env.remove("MIMECAST_CLIENT_ID");
            env.remove("MIMECAST_CLIENT_SECRET");
            env.put("MIMECAST_APP_ID", credentials.appId());
            env.put("MIMECAST_ACCESS_KEY", credentials.accessKey()); // a variable
            env.put("MIMECAST_SECRET_KEY_FILE", secretFile("secret-key", secretKey).toString()); // a file
            literal("mimecast.app-key", credentials.appKey()); // a literal
            String sasConnection = Azurite.sasConnectionString();
            env.put("AZURE_STORAGE_CONNECTION_STRING", sasConnection); // a SAS inside a connection string

            List<String> logTypes = new ArrayList<>(PAGED);
            logTypes.add("siem-legacy");
            Map<String, String> secrets = new LinkedHashMap<>();
            secrets.put("the Mimecast application key", credentials.appKey());
            secrets.put("the Mimecast access key", credentials.accessKey());
            secrets.put("the Mimecast secret key", secretKey);
            String sas = sasConnection.substring(sasConnection.indexOf("SharedAccessSignature=")
                    + "SharedAccessSignature=".length());
            secrets.put("the storage SAS token", sas);
            secrets.put("the storage SAS signature", sas.replaceAll(".*sig=([^&]+).*", "$1"));
            String output = runAndCollect(connector, env, logTypes, account);
            secrets.putAll(common(account));
            int n = 0;
            for (String signature : account.simulator.verifiedSignatures()) {
                secrets.put("HMAC request signature " + ++n, signature);
            }
            assertTrue(account.simulator.verifiedSignatures().size() > 5, "requests were signed");
            assertClean(output, secrets);
        }
    }

    /** What both runs share: the Azure side and the environment of a service running every log type at TRACE. */
    private Map<String, String> environment(SimulatedAccount account) throws Exception {
        account.azure.acceptUploads();
        account.azure.acceptStixUploads();
        Map<String, String> env = new HashMap<>(account.environment("", Map.of(
                "LOG_LEVEL", "TRACE", "LOG_LEVEL_AZURE", "TRACE", "RUN_ONCE", "false",
                "SCHEDULE", "0 0 0 1 1 ? 2099", // the first run at start-up only
                "MANAGEMENT_PORT", String.valueOf(freePort()),
                "SENTINEL_WORKSPACE_ID", WORKSPACE, "SENTINEL_TI_ENDPOINT", HttpsFake.url(account.azure.server))));
        env.remove("MIMECAST_LOG_TYPES"); // every log type in routes/
        return env;
    }

    private Map<String, String> common(SimulatedAccount account) {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("the Azure client secret", account.azure.clientSecret);
        secrets.put("the Entra token", account.azure.token);
        secrets.put("the storage account key", Azurite.ACCOUNT_KEY);
        return secrets;
    }

    /**
     * Runs the connector as a service until every log type finished its first run, reads its metrics and health,
     * stops it (SIGTERM), and returns everything it wrote.
     */
    private String runAndCollect(ConnectorProcess connector, Map<String, String> env, List<String> logTypes,
            SimulatedAccount account) throws Exception {
        int port = Integer.parseInt(env.get("MANAGEMENT_PORT"));
        Process process = connector.start(env, "connector");
        StringBuilder written = new StringBuilder();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            List<String> pending = new ArrayList<>(logTypes);
            while (!pending.isEmpty() && System.nanoTime() < deadline && process.isAlive()) {
                Thread.sleep(1000);
                String log = Files.readString(connector.log("connector"), StandardCharsets.ISO_8859_1);
                pending.removeIf(logType -> log.contains(logType + ": run complete"));
                for (String logType : logTypes) {
                    assertTrue(!log.contains(logType + ": run FAILED"), logType + " failed: see " + connector.log("connector"));
                }
            }
            assertEquals(List.of(), pending, "log types that did not finish a run (see " + connector.log("connector") + ")");
            for (String path : List.of("/observe/metrics", "/observe/health?exposureLevel=full", "/observe/health/ready",
                    "/observe/health/live")) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + path)).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                written.append(answer.body()).append('\n');
                if (path.equals("/observe/metrics")) {
                    assertTrue(answer.body().contains("mimecast_events_delivered_total"), "metrics were served");
                }
            }
        } finally {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
        String log = Files.readString(connector.log("connector"), StandardCharsets.ISO_8859_1);
        Path kept = Path.of("target", "secrets-test", run + ".log"); // for a look at what masking did
        Files.createDirectories(kept.getParent());
        Files.copy(connector.log("connector"), kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(log.lines().filter(line -> line.contains(" TRACE ")).count() > 100, "TRACE output was written");
        assertTrue(log.lines().filter(line -> line.contains(" DEBUG ")).count() > 100, "DEBUG output was written");
        written.append(log);
        // every file the connector wrote: checkpoints, dead letters, output (the configuration files aside)
        try (Stream<Path> files = Files.walk(work)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path relative = work.relativize(file);
                if (!relative.startsWith("routes") && !relative.toString().equals("application.properties")
                        && !relative.startsWith("secrets")) {
                    written.append(Files.readString(file, StandardCharsets.ISO_8859_1));
                }
            }
        }
        var container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .getBlobContainerClient(account.container);
        int blobs = 0;
        for (var blob : container.listBlobs()) {
            written.append(container.getBlobClient(blob.getName()).downloadContent().toString());
            blobs++;
        }
        assertTrue(blobs >= logTypes.size(), "checkpoints were written to the container");
        return written.toString();
    }

    /** Names each secret found (never its value, so that the test report does not leak it either). */
    private static void assertClean(String written, Map<String, String> secrets) {
        List<String> found = new ArrayList<>();
        secrets.forEach((name, value) -> {
            if (value != null && !value.isEmpty() && written.contains(value)) {
                found.add(name);
            }
        });
        assertEquals(List.of(), found, "secrets in the connector's output, files, blobs, metrics or health answers");
    }

    private Path secretFile(String name, String value) throws Exception {
        Path file = work.resolve("secrets").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, value + "\n");
        return file;
    }

    /** Sets a key of the working directory's application.properties to a literal value. */
    private void literal(String key, String value) throws Exception {
        Path properties = work.resolve("application.properties");
        List<String> lines = new ArrayList<>();
        boolean replaced = false;
        for (String line : Files.readAllLines(properties)) {
            if (line.startsWith(key + " ") || line.startsWith(key + "=")) {
                lines.add(key + " = " + value);
                replaced = true;
            } else {
                lines.add(line);
            }
        }
        assertTrue(replaced, key + " is in application.properties");
        Files.write(properties, lines);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
