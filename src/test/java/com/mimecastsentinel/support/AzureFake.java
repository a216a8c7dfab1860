package com.mimecastsentinel.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * An HTTPS fake of Entra ID (client-credentials token) and of the Logs Ingestion API for two DCRs: the connector's
 * and the Awareness Training one (its streams {@code Custom-Awareness_*}).
 */
public final class AzureFake implements AutoCloseable {
    public static final String TENANT = "00000000-0000-0000-0000-00000000000a";
    public static final String DCR = "dcr-00000000000000000000000000000001";
    public static final String AWARENESS_DCR = "dcr-00000000000000000000000000000002";

    private final Throttling throttling = new Throttling();
    public final WireMockServer server = HttpsFake.start(throttling);
    /** The connector's Entra client secret and the token Entra hands out: secrets, never to be written anywhere. */
    public final String clientSecret = "az-secret-" + java.util.UUID.randomUUID();
    public final String token = "az-token-" + java.util.UUID.randomUUID();
    private final ObjectMapper json = new ObjectMapper();
    private final List<StubMapping> flaky = new ArrayList<>();

    public AzureFake() {
        server.stubFor(post(urlPathEqualTo("/" + TENANT + "/oauth2/v2.0/token"))
                .willReturn(okJson("{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"" + token + "\"}")));
    }

    public static String streamPath(String stream) {
        return "/dataCollectionRules/" + (stream.startsWith("Custom-Awareness_") ? AWARENESS_DCR : DCR) + "/streams/"
                + stream;
    }

    /** Every STIX objects upload to any workspace is accepted (200, no error). */
    public StubMapping acceptStixUploads() {
        return server.stubFor(post(urlPathMatching("/workspaces/.*")).willReturn(aResponse().withStatus(200)));
    }

    /** Every upload to any stream is accepted (204). */
    public StubMapping acceptUploads() {
        return server.stubFor(post(urlPathMatching("/dataCollectionRules/.*")).willReturn(aResponse().withStatus(204)));
    }

    /**
     * Uploads to {@code stream}: the first {@code accepted} get 204, every later one {@code status}, until
     * {@link #heal()}. Takes priority over {@link #acceptUploads()}.
     */
    public void acceptThenFail(String stream, int accepted, int status) {
        String state = Scenario.STARTED;
        for (int i = 0; i < accepted; i++) {
            String next = "accepted-" + (i + 1);
            flaky.add(server.stubFor(post(urlPathEqualTo(streamPath(stream))).atPriority(1).inScenario("flaky")
                    .whenScenarioStateIs(state).willReturn(aResponse().withStatus(204)).willSetStateTo(next)));
            state = next;
        }
        flaky.add(server.stubFor(post(urlPathEqualTo(streamPath(stream))).atPriority(1).inScenario("flaky")
                .whenScenarioStateIs(state).willReturn(aResponse().withStatus(status))));
    }

    /**
     * Sentinel under load, for good: every {@code throttleEvery}th upload (Logs Ingestion and STIX) answers 429
     * with {@code Retry-After: 1}, and a share of them 503; the others as stubbed.
     */
    public void throttle(int throttleEvery, double unavailableRate, long seed) {
        throttling.every = throttleEvery;
        throttling.unavailable = unavailableRate;
        throttling.random = new java.util.Random(seed);
    }

    /** Answers uploads with 429 and 503 as {@link #throttle} set (a WireMock transformer of every answer). */
    private static final class Throttling implements com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2 {
        volatile int every;
        volatile double unavailable;
        volatile java.util.Random random = new java.util.Random(0);
        private final java.util.concurrent.atomic.AtomicLong uploads = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public com.github.tomakehurst.wiremock.http.ResponseDefinition transform(ServeEvent event) {
            String url = event.getRequest().getUrl();
            boolean upload = url.startsWith("/dataCollectionRules/") || url.startsWith("/workspaces/");
            if (every <= 0 || !upload) {
                return event.getResponseDefinition();
            }
            if (uploads.incrementAndGet() % every == 0) {
                return aResponse().withStatus(429).withHeader("Retry-After", "1").build();
            }
            if (random.nextDouble() < unavailable) {
                return aResponse().withStatus(503).build();
            }
            return event.getResponseDefinition();
        }

        @Override
        public String getName() {
            return "throttling";
        }
    }

    /** Removes the failures set up by {@link #acceptThenFail}. */
    public void heal() {
        flaky.forEach(server::removeStubMapping);
        flaky.clear();
    }

    public List<LoggedRequest> uploads(String stream) {
        return server.findAll(postRequestedFor(urlPathEqualTo(streamPath(stream))));
    }

    /** The Azure part of the connector's configuration, as environment variables. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AZURE_TENANT_ID", TENANT);
        env.put("AZURE_CLIENT_ID", "it-azure-client");
        env.put("AZURE_CLIENT_SECRET", clientSecret);
        env.put("AZURE_AUTHORITY_HOST", HttpsFake.url(server));
        // the fakes are not on Azure's domains: named as hosts that may receive Azure tokens
        env.put("AZURE_ALLOW_HOSTS", "localhost");
        env.put("SENTINEL_INGESTION_ENDPOINT", HttpsFake.url(server));
        env.put("SENTINEL_DCR_ID", DCR);
        env.put("SENTINEL_AWARENESS_INGESTION_ENDPOINT", HttpsFake.url(server));
        env.put("SENTINEL_AWARENESS_DCR_ID", AWARENESS_DCR);
        return env;
    }

    /** Ids of rows in uploads to {@code stream} that were accepted (204), with how often each was accepted. */
    public Map<String, Integer> deliveredIds(String stream) throws Exception {
        Map<String, Integer> ids = new HashMap<>();
        for (JsonNode row : deliveredRows(stream)) {
            ids.merge(row.path("mimecastEventId").asText(), 1, Integer::sum);
        }
        return ids;
    }

    /** The rows of the uploads to {@code stream} that were accepted (204), in the order they were received. */
    public List<JsonNode> deliveredRows(String stream) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        List<ServeEvent> served = new ArrayList<>(server.getAllServeEvents());
        java.util.Collections.reverse(served); // WireMock lists the newest first
        for (ServeEvent event : served) {
            if (!event.getRequest().getUrl().startsWith(streamPath(stream))
                    || event.getResponse().getStatus() != 204) {
                continue;
            }
            for (JsonNode row : json.readTree(event.getRequest().getBodyAsString())) {
                assertTrue(!row.has("TimeGenerated") || row.path("TimeGenerated").asText().endsWith("Z"),
                        "TimeGenerated, where the row sets it, in UTC");
                rows.add(row);
            }
        }
        return rows;
    }

    @Override
    public void close() {
        server.stop();
    }
}
