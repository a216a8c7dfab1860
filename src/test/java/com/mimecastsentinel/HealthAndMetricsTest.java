package com.mimecastsentinel;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.ConnectorProcess;
import com.mimecastsentinel.support.SimulatedAccount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector as a service: liveness and readiness on /observe/health/*, per log type Prometheus metrics on
 * /observe/metrics; readiness goes down, naming the part, when the Azure credential is broken.
 */
@ExtendWith(Azurite.class)
class HealthAndMetricsTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path work;

    @TempDir
    Path other;

    private static double counter(String metrics, String name) {
        return metrics.lines().filter(line -> line.startsWith(name + " ")).mapToDouble(
                line -> Double.parseDouble(line.substring(name.length() + 1).trim())).findFirst()
                .orElseThrow(() -> new AssertionError(name + " missing"));
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> await(int port, String path, String expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        HttpResponse<String> response = null;
        while (System.nanoTime() < deadline) {
            try {
                response = get(port, path);
                if (response.body().contains(expected)) {
                    return response;
                }
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(300);
        }
        throw new AssertionError(path + " never contained " + expected + ": "
                + (response == null ? "no answer" : response.body()));
    }

    /** Checks made while the connector runs. */
    private interface Checks {
        void run() throws Exception;
    }

    /** Starts the connector in its own JVM ({@code env} as its environment), checks, then stops it. */
    private static void whileRunning(Path directory, Map<String, String> env, String name, Checks checks)
            throws Exception {
        Process process = new ConnectorProcess(directory).start(env, name);
        try {
            checks.run();
        } finally {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** The local addresses of the sockets listening on a TCP port of this machine (/proc/net/tcp and tcp6). */
    private static List<java.net.InetAddress> listeningAddresses(int port) throws Exception {
        List<java.net.InetAddress> addresses = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length < 4 || !fields[3].equals("0A")) {
                    continue; // not LISTEN
                }
                String[] local = fields[1].split(":");
                if (Integer.parseInt(local[1], 16) != port) {
                    continue;
                }
                byte[] raw = java.util.HexFormat.of().parseHex(local[0]);
                for (int i = 0; i < raw.length; i += 4) { // each 32-bit word is written little-endian
                    byte a = raw[i];
                    raw[i] = raw[i + 3];
                    raw[i + 3] = a;
                    byte b = raw[i + 1];
                    raw[i + 1] = raw[i + 2];
                    raw[i + 2] = b;
                }
                addresses.add(java.net.InetAddress.getByAddress(raw));
            }
        }
        return addresses;
    }

    @Test
    void credentialsCanBeRequiredTheCamelWay(@TempDir Path secrets) throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            account.azure.acceptUploads();
            Path users = secrets.resolve("management-users.properties");
            Files.writeString(users, "user.scraper = s3cret-" + java.util.UUID.randomUUID().toString().substring(0, 8)
                    + ",monitoring\nrole.monitoring = *\n");
            String password = Files.readString(users).replaceAll("(?s).*= (s3cret-\\w+),.*", "$1");
            int port = freePort();
            Map<String, String> env = new HashMap<>(account.environment("audit", Map.of("RUN_ONCE", "false",
                    "MANAGEMENT_PORT", String.valueOf(port), "MANAGEMENT_HOST", "0.0.0.0",
                    "MANAGEMENT_AUTH_ENABLED", "true", "MANAGEMENT_USERS_FILE", users.toString())));
            whileRunning(work, env, "secured", () -> {
                HttpResponse<String> refused = await(port, "/observe/metrics", "");
                assertEquals(401, refused.statusCode(), "no credentials, no metrics");
                String basic = java.util.Base64.getEncoder().encodeToString(("scraper:" + password)
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/observe/metrics")).header("Authorization", "Basic " + basic)
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, metrics.statusCode());
                assertTrue(metrics.body().contains("camel_"), "the scrape");
                assertEquals(401, get(port, "/observe/health/ready").statusCode(), "every path (MANAGEMENT_AUTH_PATH)");
                assertTrue(listeningAddresses(port).stream().anyMatch(java.net.InetAddress::isAnyLocalAddress),
                        "MANAGEMENT_HOST=0.0.0.0: every interface");
            });
        }
    }

    @Test
    void aFailingAccountIsNamedAndTheOthersKeepTheConnectorReady(@TempDir Path accounts) throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            account.azure.acceptUploads();
            var failing = new com.mimecastsentinel.demo.MimecastSimulator(0, Duration.ofMinutes(30),
                    com.mimecastsentinel.support.TestTls.serverContext());
            failing.start();
            try {
                failing.failAfter(0, 1_000_000, 400, Map.of()); // every run of this account fails
                Path secret = Files.writeString(accounts.resolve("secret"),
                        com.mimecastsentinel.demo.MimecastSimulator.DEMO_CLIENT_SECRET);
                String entry = """
                        - name: %s
                          baseUrl: %s
                          clientId: demo-client
                          clientSecretFile: %s
                          logTypes: [audit]
                          schedule: "0/2 * * * * ?"
                        """;
                Path file = Files.writeString(accounts.resolve("accounts.yaml"),
                        entry.formatted("works", account.simulator.url(), secret)
                                + entry.formatted("fails", failing.url(), secret));
                int port = freePort();
                Map<String, String> env = new HashMap<>(account.environment("audit", Map.of("RUN_ONCE", "false",
                        "MANAGEMENT_PORT", String.valueOf(port), "READINESS_STALL_PERIODS", "3",
                        "MIMECAST_ACCOUNTS_FILE", file.toString(), "MIMECAST_CLIENT_ID", "",
                        "MIMECAST_CLIENT_SECRET", "", "MIMECAST_LOG_TYPES", "")));
                whileRunning(work, env, "accounts", () -> {
                    // the health JSON escapes "/": read without its escapes
                    String full = await(port, "/observe/health?exposureLevel=full", "runs is degraded: stalled: "
                            + "accounts").body().replace("\\", "");
                    assertTrue(full.contains("stalled: accounts/fails/audit ("), full);
                    assertFalse(full.contains("accounts/works/audit ("), "the working account is not named: " + full);
                    assertEquals(200, get(port, "/observe/health/ready").statusCode(),
                            "ready: the other account makes progress");
                    String metrics = await(port, "/observe/metrics",
                            "mimecast_events_delivered_total{account=\"works\",log_type=\"audit\"}").body();
                    assertTrue(metrics.contains("mimecast_failed_runs_total{account=\"fails\",log_type=\"audit\"}"),
                            metrics);
                });
            } finally {
                failing.stop();
            }
        }
    }

    @Test
    void readinessNamesALogTypeThatMakesNoProgressAndComesBackWhenItDoes() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            account.azure.acceptUploads();
            account.simulator.failAfter(0, 1_000_000, 400, Map.of()); // every run fails: nothing moves
            int port = freePort();
            Map<String, String> env = new HashMap<>(account.environment("audit", Map.of("RUN_ONCE", "false",
                    "MANAGEMENT_PORT", String.valueOf(port), "SCHEDULE", "0/2 * * * * ?",
                    "READINESS_STALL_PERIODS", "3")));
            whileRunning(work, env, "stalled", () -> {
                String full = await(port, "/observe/health?exposureLevel=full", "stalled: audit").body();
                assertTrue(full.contains("runs"), full);
                assertEquals(503, get(port, "/observe/health/ready").statusCode());
                assertEquals(200, get(port, "/observe/health/live").statusCode(), "alive: a restart would not mend it");
                account.simulator.failAfter(0, 0, 400, Map.of()); // Mimecast answers again
                assertEquals(200, await(port, "/observe/health/ready", "UP").statusCode(), "ready once a run completes");
            });
        }
    }

    @Test
    void healthAndMetricsWhileRunning() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(5))) {
            account.azure.acceptUploads();
            account.simulator.failAfter(1, 1, 429, Map.of("Retry-After", "1")); // the second page call waits once
            int port = freePort();
            Map<String, String> env = new HashMap<>(account.environment("audit", Map.of("RUN_ONCE", "false",
                    "MANAGEMENT_PORT", String.valueOf(port))));
            whileRunning(work, env, "service", () -> {
                assertEquals(200, await(port, "/observe/health/live", "UP").statusCode());
                assertEquals(200, await(port, "/observe/health/ready", "UP").statusCode());
                String metrics = await(port, "/observe/metrics", "mimecast_runs_total{account=\"\",log_type=\"audit\"}").body();
                assertTrue(metrics.contains("mimecast_events_delivered_total{account=\"\",log_type=\"audit\"}"), metrics);
                assertTrue(metrics.contains("mimecast_events_fetched_total{account=\"\",log_type=\"audit\"}"));
                assertTrue(metrics.contains("mimecast_last_success_timestamp_seconds{account=\"\",log_type=\"audit\"}"));
                assertTrue(metrics.contains("mimecast_checkpoint_lag_seconds{account=\"\",log_type=\"audit\"}"));
                assertTrue(metrics.contains("mimecast_ingestion_requests_total{account=\"\",log_type=\"audit\"}"));
                assertTrue(metrics.contains("mimecast_rate_limited_total{account=\"\",log_type=\"audit\"} 1.0"), metrics);
                assertTrue(counter(metrics, "mimecast_ingestion_bytes_total{account=\"\",log_type=\"audit\"}")
                        > 100 * counter(metrics, "mimecast_events_delivered_total{account=\"\",log_type=\"audit\"}"), metrics);
                // every counter of the log type after its run, those that counted nothing at zero
                for (String name : List.of("mimecast_additional_fields_total", "mimecast_dead_lettered_total",
                        "mimecast_duplicates_dropped_total", "mimecast_failed_runs_total")) {
                    assertTrue(metrics.contains(name + "{account=\"\",log_type=\"audit\"}"), name + ": " + metrics);
                }
                // Camel's own meters too: the exchange timers of every route, those sent by a producer template
                // (checkpoint writes, token requests) among them, none refused by the registry
                assertTrue(metrics.lines().anyMatch(l -> l.startsWith("camel_exchange_event_notifier")
                        && l.contains("routeId=\"\"")), "exchanges no route created: " + metrics);
                assertTrue(metrics.lines().anyMatch(l -> l.startsWith("camel_exchange_event_notifier")
                        && l.contains("routeId=\"audit\"")), metrics);

                // health and metrics listen on this machine only, unless MANAGEMENT_HOST says otherwise
                List<java.net.InetAddress> listening = listeningAddresses(port);
                assertFalse(listening.isEmpty());
                assertTrue(listening.stream().allMatch(java.net.InetAddress::isLoopbackAddress), listening.toString());
            });
            String log = Files.readString(work.resolve("service.log"));
            assertFalse(log.toLowerCase(java.util.Locale.ROOT).contains("registration has failed"), "no meter refused");
            assertFalse(log.contains("same set of tag keys"), "no meter refused");

            // the Azure credential stops working: not ready, and the answer names the part
            account.azure.server.stubFor(post(urlPathMatching("/.*/oauth2/v2.0/token")).atPriority(1)
                    .willReturn(aResponse().withStatus(401).withBody("{\"error\":\"invalid_client\"}")));
            int second = freePort();
            env.put("MANAGEMENT_PORT", String.valueOf(second));
            whileRunning(other, env, "broken", () -> {
                // waited for by the part's message: while the context starts, readiness is DOWN for that alone
                String full = await(second, "/observe/health?exposureLevel=full", "azure is not working").body();
                assertTrue(full.contains("azure is not working"), full);
                HttpResponse<String> ready = get(second, "/observe/health/ready");
                assertEquals(503, ready.statusCode());
                assertTrue(ready.body().contains("DOWN"), ready.body());
                assertEquals(200, get(second, "/observe/health/live").statusCode(), "alive all the same");
            });
        }
    }
}
