package com.mimecastsentinel.logtypes;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.AzureFake;
import com.mimecastsentinel.support.HttpsFake;
import com.mimecastsentinel.support.Settings4Tests;
import com.mimecastsentinel.transform.EventTimes;

/**
 * Independent HTTPS fakes of Mimecast (OAuth + three pages of audit events) and of Azure (Entra token endpoint +
 * Logs Ingestion), a fresh Blob container on Azurite, and the configuration that points the connector at them.
 */
final class AuditFakes implements AutoCloseable {
    static final String INGEST_PATH = AzureFake.streamPath("Custom-Audit");
    static final String AUDIT_PATH = "/api/audit/get-audit-events";
    static final int EVENTS = 1200;

    private final ObjectMapper json = new ObjectMapper();
    final WireMockServer mimecast = HttpsFake.start();
    final AzureFake azureFake = new AzureFake();
    final WireMockServer azure = azureFake.server;
    final String container = "it-" + UUID.randomUUID().toString().substring(0, 8);
    final List<ObjectNode> events = auditEvents(EVENTS);

    AuditFakes() {
        this(events -> { });
    }

    /** @param tweak changes the generated events before the fake serves them */
    AuditFakes(java.util.function.Consumer<List<ObjectNode>> tweak) {
        tweak.accept(events);
        mimecast.stubFor(post("/oauth/token").withRequestBody(containing("client_id=it-client"))
                .willReturn(okJson("{\"access_token\":\"mc-token\",\"token_type\":\"Bearer\",\"expires_in\":1800}")));
        // three pages of 500, 500 and 200 events; events carry a large eventInfo so a page needs two batches
        stubPage(null, events.subList(0, 500), "t1");
        stubPage("t1", events.subList(500, 1000), "t2");
        stubPage("t2", events.subList(1000, EVENTS), null);
    }

    @Override
    public void close() {
        mimecast.stop();
        azureFake.close();
    }

    /** The configuration of a RUN_ONCE run against these fakes, as environment variables. */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MIMECAST_BASE_URL", HttpsFake.url(mimecast));
        env.put("MIMECAST_CLIENT_ID", "it-client");
        env.put("MIMECAST_CLIENT_SECRET", "it-secret");
        env.putAll(azureFake.environment());
        env.put("CHECKPOINT_STORE", "blob");
        env.put("AZURE_STORAGE_CONNECTION_STRING", Azurite.connectionString());
        env.put("CHECKPOINT_CONTAINER", container);
        env.put("START_DATE", LocalDate.now(ZoneOffset.UTC).minusDays(1).toString());
        env.put("MIMECAST_LOG_TYPES", "audit");
        env.put("RUN_ONCE", "true");
        return env;
    }

    /** The same configuration as application.properties keys, for runs inside the test JVM. */
    Properties properties() {
        return Settings4Tests.properties(environment());
    }

    List<LoggedRequest> mimecastPageRequests() {
        return mimecast.findAll(postRequestedFor(urlPathEqualTo(AUDIT_PATH)));
    }

    List<LoggedRequest> uploads() {
        return azure.findAll(postRequestedFor(urlPathEqualTo(INGEST_PATH)));
    }

    /** Ids of audit rows the fake accepted, with how often each was accepted; each id is the record's id. */
    Map<String, Integer> deliveredIds() throws Exception {
        return azureFake.deliveredIds("Custom-Audit");
    }

    /** Asserts that every event was accepted exactly once. */
    void assertEveryEventDeliveredOnce() throws Exception {
        Map<String, Integer> delivered = deliveredIds();
        assertEquals(EVENTS, delivered.size(), "every event delivered");
        assertTrue(delivered.values().stream().allMatch(n -> n == 1), "no event delivered twice");
    }

    JsonNode checkpoint() throws Exception {
        return json.readTree(checkpointBlob().downloadContent().toBytes());
    }

    String checkpointEtag() {
        return checkpointBlob().getProperties().getETag();
    }

    Instant newestEventTime() {
        return EventTimes.parse(events.get(0).get("eventTime")).orElseThrow();
    }

    private BlobClient checkpointBlob() {
        return new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .getBlobContainerClient(container).getBlobClient("checkpoints/audit.json");
    }

    private void stubPage(String token, List<ObjectNode> page, String next) {
        ObjectNode body = json.createObjectNode();
        ObjectNode pagination = body.putObject("meta").put("status", 200).putObject("pagination");
        pagination.put("pageSize", 500);
        if (next != null) {
            pagination.put("next", next);
        }
        ArrayNode data = body.putArray("data");
        page.forEach(data::add);
        body.putArray("fail");
        var request = post(urlPathEqualTo(AUDIT_PATH)).withHeader("Authorization", equalTo("Bearer mc-token"))
                .withRequestBody(matchingJsonPath("$.data[0].startDateTime", matching(".+\\+0000")));
        request = token == null ? request.withRequestBody(notContaining("pageToken"))
                : request.withRequestBody(matchingJsonPath("$.meta.pagination.pageToken", equalTo(token)));
        mimecast.stubFor(request.willReturn(okJson(body.toString())));
    }

    /** Recent events (inside the overlap window), newest first as the API lists them. */
    private List<ObjectNode> auditEvents(int count) {
        List<ObjectNode> list = new ArrayList<>();
        Instant newest = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.SECONDS);
        String padding = "x".repeat(2500);
        for (int i = 0; i < count; i++) {
            ObjectNode event = json.createObjectNode();
            event.put("id", "eNo-audit-" + i);
            event.put("auditType", "User Logged On");
            event.put("user", "user" + (i % 7) + "@example.com");
            event.put("eventTime", EventTimes.mimecastFormat(newest.minusMillis(200L * i)));
            event.put("eventInfo", "Logged on, IP: 198.51.100." + (i % 250) + " " + padding);
            event.put("category", "authentication_logs");
            list.add(event);
        }
        return list;
    }
}
