package com.mimecastsentinel.poll;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.mimecastsentinel.Application;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.HttpsFake;
import com.mimecastsentinel.transform.EventTimes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The audit route end to end through real parts: routes/*.yaml and application.properties loaded by camel-main,
 * the JDK client against an HTTPS Mimecast fake, the real ClientSecretCredential and LogsIngestionClient against
 * HTTPS Entra and Logs Ingestion fakes, checkpoints in Azurite.
 */
@ExtendWith(Azurite.class)
class AuditRouteTest {
    private static final String TENANT = "00000000-0000-0000-0000-00000000000a";
    private static final String DCR = "dcr-00000000000000000000000000000001";
    private static final String INGEST_PATH = "/dataCollectionRules/" + DCR + "/streams/Custom-Audit";
    private static final int EVENTS = 1200;

    private final ObjectMapper json = new ObjectMapper();
    private WireMockServer mimecast;
    private WireMockServer azure;
    private String container;
    private List<ObjectNode> events;

    @BeforeEach
    void start() {
        mimecast = HttpsFake.start();
        azure = HttpsFake.start();
        container = "it-" + UUID.randomUUID().toString().substring(0, 8);
        mimecast.stubFor(post("/oauth/token").withRequestBody(containing("client_id=it-client"))
                .willReturn(okJson("{\"access_token\":\"mc-token\",\"token_type\":\"Bearer\",\"expires_in\":1800}")));
        azure.stubFor(post(urlPathEqualTo("/" + TENANT + "/oauth2/v2.0/token"))
                .willReturn(okJson("{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"az-token\"}")));
        events = auditEvents(EVENTS);
        // three pages of 500, 500 and 200 events; events carry a large eventInfo so a page needs two batches
        stubPage(null, events.subList(0, 500), "t1");
        stubPage("t1", events.subList(500, 1000), "t2");
        stubPage("t2", events.subList(1000, EVENTS), null);
    }

    @AfterEach
    void stop() {
        mimecast.stop();
        azure.stop();
    }

    @Test
    void deliversEveryEventOnceAndNothingTwiceAcrossRunsAndRestarts() throws Exception {
        azure.stubFor(post(urlPathEqualTo(INGEST_PATH)).willReturn(aResponse().withStatus(204)));

        assertEquals(0, runOnce());
        Map<String, Integer> delivered = deliveredIds();
        assertEquals(EVENTS, delivered.size());
        assertTrue(delivered.values().stream().allMatch(n -> n == 1), "every event exactly once");
        List<LoggedRequest> uploads = azure.findAll(postRequestedFor(urlPathEqualTo(INGEST_PATH)));
        assertEquals(5, uploads.size(), "two batches for each full page, one for the last");
        uploads.forEach(r -> assertEquals("Bearer az-token", r.getHeader("Authorization")));
        uploads.forEach(r -> assertTrue(r.getBody().length < 1_048_576, "each request under 1 MB"));
        mimecast.verify(postRequestedFor(urlPathEqualTo("/api/audit/get-audit-events"))
                .withHeader("Authorization", equalTo("Bearer mc-token")));

        JsonNode checkpoint = checkpoint();
        assertEquals(1, checkpoint.path("version").asInt());
        assertEquals("audit", checkpoint.path("logType").asText());
        assertTrue(checkpoint.path("window").isMissingNode(), "no window in progress");
        assertEquals(EVENTS, checkpoint.path("deliveredTotal").asLong());
        Instant completedUntil = Instant.parse(checkpoint.path("completedUntil").asText());
        assertTrue(completedUntil.isAfter(Instant.now().minusSeconds(120)));
        assertEquals(newest(events), Instant.parse(checkpoint.path("newestEventTime").asText()));
        assertEquals(EVENTS, checkpoint.path("recentEventIds").size(), "ids inside the overlap window are kept");

        // the same events come back in the next window's overlap: nothing is sent again, in this run or after
        // a restart (every run is a new camel-main with state only from the checkpoint blob)
        assertEquals(0, runOnce());
        assertEquals(0, runOnce());
        assertEquals(5, azure.findAll(postRequestedFor(urlPathEqualTo(INGEST_PATH))).size());
        assertEquals(EVENTS, deliveredIds().size());
    }

    @Test
    void failedUploadLeavesCheckpointAndNextRunDeliversTheRest() throws Exception {
        // the first page's two batches are accepted, then Logs Ingestion fails (the SDK retries, then gives up)
        List<StubMapping> flaky = List.of(
                azure.stubFor(post(urlPathEqualTo(INGEST_PATH)).inScenario("ingest")
                        .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(204))
                        .willSetStateTo("second")),
                azure.stubFor(post(urlPathEqualTo(INGEST_PATH)).inScenario("ingest").whenScenarioStateIs("second")
                        .willReturn(aResponse().withStatus(204)).willSetStateTo("failing")),
                azure.stubFor(post(urlPathEqualTo(INGEST_PATH)).inScenario("ingest").whenScenarioStateIs("failing")
                        .willReturn(aResponse().withStatus(500))));

        assertEquals(1, runOnce(), "a failed run exits non-zero");
        JsonNode checkpoint = checkpoint();
        assertEquals("t1", checkpoint.path("window").path("pageToken").asText(), "resume at the second page");
        assertEquals(500, checkpoint.path("deliveredTotal").asLong());
        assertTrue(checkpoint.path("completedUntil").isMissingNode());
        assertEquals(500, deliveredIds().size());
        String etag = checkpointEtag();

        flaky.forEach(azure::removeStubMapping);
        azure.stubFor(post(urlPathEqualTo(INGEST_PATH)).willReturn(aResponse().withStatus(204)));
        assertEquals(etag, checkpointEtag(), "nothing rewrote the checkpoint in between");

        int requestsBefore = mimecastPageRequests().size();
        assertEquals(0, runOnce());
        // the second run resumed at the stored token instead of reading the first page again
        assertTrue(mimecastPageRequests().get(requestsBefore).getBodyAsString().contains("\"pageToken\":\"t1\""));
        Map<String, Integer> delivered = deliveredIds();
        assertEquals(EVENTS, delivered.size());
        assertTrue(delivered.values().stream().allMatch(n -> n == 1), "the failed batch was sent again, once");
        checkpoint = checkpoint();
        assertEquals(EVENTS, checkpoint.path("deliveredTotal").asLong());
        assertNotNull(checkpoint.get("completedUntil"));
        assertNull(checkpoint.get("window"));
    }

    // ---- helpers ----

    private int runOnce() {
        Properties settings = new Properties();
        settings.put("mimecast.base-url", HttpsFake.url(mimecast));
        settings.put("mimecast.client-id", "it-client");
        settings.put("mimecast.client-secret", "it-secret");
        settings.put("azure.tenant-id", TENANT);
        settings.put("azure.client-id", "it-azure-client");
        settings.put("azure.client-secret", "it-azure-secret");
        settings.put("azure.authority-host", HttpsFake.url(azure));
        settings.put("sentinel.ingestion-endpoint", HttpsFake.url(azure));
        settings.put("sentinel.dcr-id", DCR);
        settings.put("checkpoint.store", "blob");
        settings.put("azure.storage.connection-string", Azurite.connectionString());
        settings.put("checkpoint.container", container);
        settings.put("start-date", LocalDate.now(ZoneOffset.UTC).minusDays(1).toString());
        settings.put("mimecast.log-types", "audit");
        settings.put("run-once", "true");
        return Application.run(settings);
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
        var request = post(urlPathEqualTo("/api/audit/get-audit-events"))
                .withHeader("Authorization", equalTo("Bearer mc-token"))
                .withRequestBody(matchingJsonPath("$.data[0].startDateTime", matching(".+\\+0000")));
        request = token == null ? request.withRequestBody(notContaining("pageToken"))
                : request.withRequestBody(matchingJsonPath("$.meta.pagination.pageToken", equalTo(token)));
        mimecast.stubFor(request.willReturn(okJson(body.toString())));
    }

    /** Recent events (inside the overlap window), newest first as the API lists them. */
    private List<ObjectNode> auditEvents(int count) {
        List<ObjectNode> list = new ArrayList<>();
        Instant newest = Instant.now().minusSeconds(30).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
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

    private static Instant newest(List<ObjectNode> events) {
        return EventTimes.parse(events.get(0).get("eventTime")).orElseThrow();
    }

    private List<LoggedRequest> mimecastPageRequests() {
        return mimecast.findAll(postRequestedFor(urlPathEqualTo("/api/audit/get-audit-events")));
    }

    /** Ids of rows in ingestion requests the fake accepted (204), with how often each was accepted. */
    private Map<String, Integer> deliveredIds() throws Exception {
        Map<String, Integer> ids = new HashMap<>();
        for (ServeEvent served : azure.getAllServeEvents()) {
            if (!served.getRequest().getUrl().startsWith("/dataCollectionRules/")
                    || served.getResponse().getStatus() != 204) {
                continue;
            }
            JsonNode rows = json.readTree(served.getRequest().getBodyAsString());
            for (JsonNode row : rows) {
                assertEquals(row.path("id").asText(), row.path("mimecastEventId").asText());
                assertTrue(row.path("TimeGenerated").asText().endsWith("Z"));
                ids.merge(row.path("mimecastEventId").asText(), 1, Integer::sum);
            }
        }
        return ids;
    }

    private JsonNode checkpoint() throws Exception {
        return json.readTree(checkpointBlob().downloadContent().toBytes());
    }

    private String checkpointEtag() {
        return checkpointBlob().getProperties().getETag();
    }

    private BlobClient checkpointBlob() {
        BlobContainerClient client = new BlobServiceClientBuilder().connectionString(Azurite.connectionString())
                .buildClient().getBlobContainerClient(container);
        return client.getBlobClient("checkpoints/audit.json");
    }
}
