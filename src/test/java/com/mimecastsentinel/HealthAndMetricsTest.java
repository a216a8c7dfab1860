package com.mimecastsentinel;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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

    @Test
    void healthAndMetricsWhileRunning() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(5))) {
            account.azure.acceptUploads();
            account.simulator.failAfter(1, 1, 429, Map.of("Retry-After", "1")); // the second page call waits once
            int port = freePort();
            Map<String, String> env = new HashMap<>(account.environment("audit", Map.of("RUN_ONCE", "false",
                    "MANAGEMENT_PORT", String.valueOf(port))));
            Process process = new ConnectorProcess(work).start(env, "service");
            try {
                assertEquals(200, await(port, "/observe/health/live", "UP").statusCode());
                assertEquals(200, await(port, "/observe/health/ready", "UP").statusCode());
                String metrics = await(port, "/observe/metrics", "mimecast_runs_total{log_type=\"audit\"}").body();
                assertTrue(metrics.contains("mimecast_events_delivered_total{log_type=\"audit\"}"), metrics);
                assertTrue(metrics.contains("mimecast_events_fetched_total{log_type=\"audit\"}"));
                assertTrue(metrics.contains("mimecast_last_success_timestamp_seconds{log_type=\"audit\"}"));
                assertTrue(metrics.contains("mimecast_checkpoint_lag_seconds{log_type=\"audit\"}"));
                assertTrue(metrics.contains("mimecast_ingestion_requests_total{log_type=\"audit\"}"));
                assertTrue(metrics.contains("mimecast_rate_limited_total{log_type=\"audit\"} 1.0"), metrics);
                assertTrue(counter(metrics, "mimecast_ingestion_bytes_total{log_type=\"audit\"}")
                        > 100 * counter(metrics, "mimecast_events_delivered_total{log_type=\"audit\"}"), metrics);
            } finally {
                process.destroy();
                process.waitFor(60, TimeUnit.SECONDS);
            }

            // the Azure credential stops working: not ready, and the answer names the part
            account.azure.server.stubFor(post(urlPathMatching("/.*/oauth2/v2.0/token")).atPriority(1)
                    .willReturn(aResponse().withStatus(401).withBody("{\"error\":\"invalid_client\"}")));
            int second = freePort();
            env.put("MANAGEMENT_PORT", String.valueOf(second));
            Process broken = new ConnectorProcess(other).start(env, "broken");
            try {
                // waited for by the part's message: while the context starts, readiness is DOWN for that alone
                String full = await(second, "/observe/health?exposureLevel=full", "azure is not working").body();
                assertTrue(full.contains("azure is not working"), full);
                HttpResponse<String> ready = get(second, "/observe/health/ready");
                assertEquals(503, ready.statusCode());
                assertTrue(ready.body().contains("DOWN"), ready.body());
                assertEquals(200, get(second, "/observe/health/live").statusCode(), "alive all the same");
            } finally {
                broken.destroy();
                broken.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }
}
