package com.mimecastsentinel.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

import com.mimecastsentinel.support.AzureFake;
import com.mimecastsentinel.support.TestTls;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * Entra ID's token endpoint and the Logs Ingestion API over HTTPS, measuring instead of recording (a WireMock
 * journal of a gigabyte would measure WireMock): requests, payload sizes as sent (gzip) and as the SDK counts
 * them (uncompressed JSON), 413s for requests over the service's 1 MB, and the event ids received.
 */
final class IngestionMeter implements AutoCloseable {
    /** The service refuses requests whose uncompressed body is over 1 MB. */
    static final int LIMIT = 1 << 20;
    private static final byte[] ID_KEY = "\"mimecastEventId\":\"".getBytes(StandardCharsets.UTF_8);

    private final HttpsServer server;
    final AtomicLong tokens = new AtomicLong();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong tooLarge = new AtomicLong();
    final AtomicLong gzipBytes = new AtomicLong();
    final AtomicLong jsonBytes = new AtomicLong();
    final AtomicLong maxGzip = new AtomicLong();
    final AtomicLong maxJson = new AtomicLong();
    final AtomicLong rows = new AtomicLong();
    private final Set<String> ids = new HashSet<>();

    IngestionMeter() throws IOException {
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(TestTls.serverContext()));
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "https://localhost:" + server.getAddress().getPort();
    }

    /**
     * The connector's Azure settings against this meter (Entra and Logs Ingestion), with Blob checkpoints in Azurite's
     * {@code container}.
     */
    java.util.Map<String, String> environment(String container) {
        java.util.Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("AZURE_ALLOW_HOSTS", "localhost");
        env.put("AZURE_TENANT_ID", AzureFake.TENANT);
        env.put("AZURE_CLIENT_ID", "bench-azure-client");
        env.put("AZURE_CLIENT_SECRET", "bench-azure-secret");
        env.put("AZURE_AUTHORITY_HOST", url());
        env.put("SENTINEL_INGESTION_ENDPOINT", url());
        env.put("SENTINEL_DCR_ID", AzureFake.DCR);
        env.put("CHECKPOINT_STORE", "blob");
        env.put("AZURE_STORAGE_CONNECTION_STRING", com.mimecastsentinel.support.Azurite.connectionString());
        env.put("CHECKPOINT_CONTAINER", container);
        return env;
    }

    /** Distinct event ids received in accepted requests. */
    synchronized int distinctIds() {
        return ids.size();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/" + AzureFake.TENANT + "/oauth2/v2.0/token")) {
            tokens.incrementAndGet();
            respond(exchange, 200, "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,\"access_token\":\"bench\"}");
            return;
        }
        if (!path.startsWith("/dataCollectionRules/")) {
            respond(exchange, 404, "{}");
            return;
        }
        boolean gzip = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"));
        byte[] json = gzip ? new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes() : body;
        if (json.length > LIMIT) {
            tooLarge.incrementAndGet();
            respond(exchange, 413, "{\"error\":{\"code\":\"ContentLengthLimitExceeded\"}}");
            return;
        }
        requests.incrementAndGet();
        gzipBytes.addAndGet(body.length);
        jsonBytes.addAndGet(json.length);
        maxGzip.accumulateAndGet(body.length, Math::max);
        maxJson.accumulateAndGet(json.length, Math::max);
        collectIds(json);
        respond(exchange, 204, null);
    }

    /** Scans for the id key instead of parsing: the meter must stay cheap next to what it measures. */
    private void collectIds(byte[] json) {
        Set<String> found = new HashSet<>();
        outer:
        for (int i = 0; i + ID_KEY.length < json.length; i++) {
            for (int k = 0; k < ID_KEY.length; k++) {
                if (json[i + k] != ID_KEY[k]) {
                    continue outer;
                }
            }
            int start = i + ID_KEY.length;
            int end = start;
            while (json[end] != '"') {
                end++;
            }
            found.add(new String(json, start, end - start, StandardCharsets.US_ASCII));
            i = end;
        }
        rows.addAndGet(found.size());
        synchronized (this) {
            ids.addAll(found);
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body == null ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
