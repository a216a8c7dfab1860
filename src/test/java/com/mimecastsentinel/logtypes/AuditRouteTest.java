package com.mimecastsentinel.logtypes;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.mimecastsentinel.logtypes.AuditFakes.AUDIT_PATH;
import static com.mimecastsentinel.logtypes.AuditFakes.EVENTS;
import static com.mimecastsentinel.logtypes.AuditFakes.INGEST_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.mimecastsentinel.Application;
import com.mimecastsentinel.support.Azurite;
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
    private AuditFakes fakes;

    @BeforeEach
    void start() {
        fakes = new AuditFakes();
    }

    @AfterEach
    void stop() {
        fakes.close();
    }

    private int runOnce() {
        return Application.run(fakes.properties());
    }

    @Test
    void deliversEveryEventOnceAndNothingTwiceAcrossRunsAndRestarts() throws Exception {
        fakes.azureFake.acceptUploads();

        assertEquals(0, runOnce());
        fakes.assertEveryEventDeliveredOnce();
        assertEquals(5, fakes.uploads().size(), "two batches for each full page, one for the last");
        fakes.uploads().forEach(r -> assertEquals("Bearer " + fakes.azureFake.token, r.getHeader("Authorization")));
        fakes.uploads().forEach(r -> assertTrue(r.getBody().length < 1_048_576, "each request under 1 MB"));
        fakes.mimecast.verify(postRequestedFor(urlPathEqualTo(AUDIT_PATH))
                .withHeader("Authorization", equalTo("Bearer mc-token")));

        JsonNode checkpoint = fakes.checkpoint();
        assertEquals(1, checkpoint.path("version").asInt());
        assertEquals("audit", checkpoint.path("logType").asText());
        assertTrue(checkpoint.path("window").isMissingNode(), "no window in progress");
        assertEquals(EVENTS, checkpoint.path("deliveredTotal").asLong());
        Instant completedUntil = Instant.parse(checkpoint.path("completedUntil").asText());
        assertTrue(completedUntil.isAfter(Instant.now().minusSeconds(120)));
        assertEquals(fakes.newestEventTime(), Instant.parse(checkpoint.path("newestEventTime").asText()));
        assertEquals(EVENTS, checkpoint.path("recentEventIds").size(), "ids inside the overlap window are kept");

        // the same events come back in the next window's overlap: nothing is sent again, in this run or after
        // a restart (every run is a new camel-main with state only from the checkpoint blob)
        assertEquals(0, runOnce());
        assertEquals(0, runOnce());
        assertEquals(5, fakes.uploads().size());
        fakes.assertEveryEventDeliveredOnce();
    }

    @Test
    void startDateAsAnInstantStartsTheFirstWindowAtThatSecond() throws Exception {
        fakes.azureFake.acceptUploads();
        Instant where = Instant.now().minusSeconds(5 * 3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        java.util.Properties properties = fakes.properties();
        properties.put("start-date", where.toString());
        assertEquals(0, Application.run(properties));
        String first = fakes.mimecastPageRequests().get(0).getBodyAsString();
        assertTrue(first.contains("\"startDateTime\":\"" + EventTimes.mimecastFormat(where) + "\""), first);
        assertEquals(where, Instant.parse(fakes.checkpoint().path("startedFrom").asText()));
    }

    @Test
    void anEmptyPageEndsTheWindowEvenWithANextToken() throws Exception {
        fakes.azureFake.acceptUploads();
        fakes.mimecast.stubFor(post(urlPathEqualTo(AUDIT_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.meta.pagination.pageToken", equalTo("t2")))
                .willReturn(okJson("{\"meta\":{\"status\":200,\"pagination\":{\"next\":\"t3\"}},\"data\":[],\"fail\":[]}")));

        assertEquals(0, runOnce());
        assertEquals(1000, fakes.deliveredIds().size());
        fakes.mimecast.verify(0, postRequestedFor(urlPathEqualTo(AUDIT_PATH))
                .withRequestBody(matchingJsonPath("$.meta.pagination.pageToken", equalTo("t3"))));
        assertNull(fakes.checkpoint().get("window"), "the window is complete");
    }

    @Test
    void aTokenGoingInCirclesOrAChangedResponseShapeFailsInsteadOfSkipping() throws Exception {
        fakes.azureFake.acceptUploads();
        fakes.mimecast.stubFor(post(urlPathEqualTo(AUDIT_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.meta.pagination.pageToken", equalTo("t2")))
                .willReturn(okJson("{\"meta\":{\"status\":200,\"pagination\":{\"next\":\"t1\"}},"
                        + "\"data\":[{\"id\":\"x\",\"eventTime\":\"2026-01-01T00:00:00+0000\"}],\"fail\":[]}")));
        assertEquals(1, runOnce(), "t1 -> t2 -> t1 is a circle");
        assertEquals("t2", fakes.checkpoint().path("window").path("pageToken").asText(), "nothing skipped");

        fakes.mimecast.stubFor(post(urlPathEqualTo(AUDIT_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.meta.pagination.pageToken", equalTo("t2")))
                .willReturn(okJson("{\"meta\":{\"status\":200},\"records\":[],\"fail\":[]}")));
        assertEquals(1, runOnce(), "no data array where the records should be");
        assertTrue(fakes.checkpoint().path("completedUntil").isMissingNode(), "the window was not completed");
    }

    @Test
    void aPageTokenBeyondItsBoundFailsTheRunBeforeItReachesTheCheckpoint() throws Exception {
        fakes.azureFake.acceptUploads();
        String huge = "t".repeat(100_000);
        fakes.mimecast.stubFor(post(urlPathEqualTo(AUDIT_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.meta.pagination.pageToken", equalTo("t2")))
                .willReturn(okJson("{\"meta\":{\"status\":200,\"pagination\":{\"next\":\"" + huge + "\"}},"
                        + "\"data\":[{\"id\":\"x\",\"eventTime\":\"2026-01-01T00:00:00+0000\"}],\"fail\":[]}")));
        assertEquals(1, runOnce(), "a 100,000-character page token is not taken");
        assertEquals("t2", fakes.checkpoint().path("window").path("pageToken").asText(),
                "the checkpoint stays at the page before it");
        assertTrue(fakes.mimecastPageRequests().stream().noneMatch(r -> r.getBodyAsString().contains(huge)),
                "and it is never sent back");
    }

    @Test
    void failedUploadLeavesCheckpointAndNextRunDeliversTheRest() throws Exception {
        // the first page's two batches are accepted, then Logs Ingestion fails (the SDK retries once, then gives up:
        // the default of 5 attempts would back off 12 s here for the same outcome)
        fakes.azureFake.acceptUploads();
        fakes.azureFake.acceptThenFail("Custom-Audit", 2, 500);
        java.util.Properties settings = fakes.properties();
        settings.put("mimecast.max-attempts", "2");
        assertEquals(1, Application.run(settings), "a failed run exits non-zero");
        assertEquals(2 + 2, fakes.azureFake.uploads("Custom-Audit").size(), "two accepted, then one tried twice");
        JsonNode checkpoint = fakes.checkpoint();
        assertEquals("t1", checkpoint.path("window").path("pageToken").asText(), "resume at the second page");
        assertEquals(500, checkpoint.path("deliveredTotal").asLong());
        assertTrue(checkpoint.path("completedUntil").isMissingNode());
        assertEquals(500, fakes.deliveredIds().size());
        String etag = fakes.checkpointEtag();

        fakes.azureFake.heal();
        assertEquals(etag, fakes.checkpointEtag(), "nothing rewrote the checkpoint in between");

        int requestsBefore = fakes.mimecastPageRequests().size();
        assertEquals(0, runOnce());
        // the second run resumed at the stored token instead of reading the first page again
        assertTrue(fakes.mimecastPageRequests().get(requestsBefore).getBodyAsString()
                .contains("\"pageToken\":\"t1\""));
        fakes.assertEveryEventDeliveredOnce();
        checkpoint = fakes.checkpoint();
        assertEquals(EVENTS, checkpoint.path("deliveredTotal").asLong());
        assertNotNull(checkpoint.get("completedUntil"));
        assertNull(checkpoint.get("window"));
    }

    @Test
    void aFailureMimecastCallsRetryableIsTriedAgainAndOneItDoesNotFailsTheRun() throws Exception {
        fakes.azureFake.acceptUploads();
        String busy = "{\"meta\":{\"status\":200},\"data\":[],\"fail\":[{\"errors\":[{\"code\":\"err_busy\","
                + "\"message\":\"try later\",\"retryable\":true}]}]}";
        fakes.mimecast.stubFor(post(urlPathEqualTo(AUDIT_PATH)).atPriority(1).inScenario("busy")
                .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willReturn(okJson(busy)).willSetStateTo("ok"));
        assertEquals(0, runOnce(), "HTTP 200 with a retryable fail[] is tried again");
        fakes.assertEveryEventDeliveredOnce();

        String refused = "{\"meta\":{\"status\":200},\"data\":[],\"fail\":[{\"errors\":[{\"code\":\"err_validation\","
                + "\"message\":\"bad filter\",\"retryable\":false}]}]}";
        fakes.mimecast.stubFor(post(urlPathEqualTo(AUDIT_PATH)).atPriority(1).willReturn(okJson(refused)));
        int requests = fakes.mimecastPageRequests().size();
        assertEquals(1, runOnce(), "HTTP 200 with a fail[] that is not retryable fails the run");
        assertEquals(requests + 1, fakes.mimecastPageRequests().size(), "and is not tried again");
    }

    @Test
    void anAnswerThatTricklesInFailsWithinItsDeadline() throws Exception {
        fakes.azureFake.acceptUploads();
        fakes.mimecast.stubFor(post(urlPathEqualTo(AUDIT_PATH)).atPriority(1).willReturn(okJson("{\"meta\":{},"
                + "\"data\":[],\"fail\":[]," + "\"padding\":\"" + "x".repeat(2000) + "\"}")
                .withChunkedDribbleDelay(40, 8_000)));
        java.util.Properties settings = fakes.properties();
        settings.put("http.timeout", "PT1S");
        settings.put("mimecast.max-attempts", "2");
        long started = System.nanoTime();
        assertEquals(1, Application.run(settings), "no complete answer within twice HTTP_TIMEOUT, twice");
        long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertTrue(seconds < 12, "each attempt gave up after its deadline, not the answer's 8 s: " + seconds + " s");
        assertEquals(2, fakes.mimecastPageRequests().size());
    }

    @Test
    void anAnswerWithoutEndIsGivenUpNotReadToItsEnd() throws Exception {
        fakes.azureFake.acceptUploads();
        // an answer that says it has 100 MB and sends 200 bytes a second: past its deadline the rest is not read
        // (closing the stream would read it to its end, for days)
        com.sun.net.httpserver.HttpServer endless = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        endless.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        endless.createContext("/oauth/token", exchange -> {
            byte[] token = "{\"access_token\":\"t\",\"expires_in\":1800}".getBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, token.length);
            exchange.getResponseBody().write(token);
            exchange.close();
        });
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        endless.createContext(AUDIT_PATH, exchange -> {
            calls.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 100_000_000L);
            try (java.io.OutputStream out = exchange.getResponseBody()) {
                out.write("{\"data\":[],\"padding\":\"".getBytes());
                for (int i = 0; i < 100_000; i++) {
                    out.write("x".repeat(20).getBytes());
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (java.io.IOException | InterruptedException gone) {
                // the connector hung up: what it should do
            }
        });
        endless.start();
        try {
            java.util.Properties settings = fakes.properties();
            settings.put("mimecast.base-url", "http://127.0.0.1:" + endless.getAddress().getPort());
            settings.put("http.timeout", "PT1S");
            settings.put("mimecast.max-attempts", "2");
            long started = System.nanoTime();
            assertEquals(1, Application.run(settings), "no complete answer within twice HTTP_TIMEOUT, twice");
            long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertTrue(seconds < 30, "each attempt gave up after its deadline, not at the answer's end: " + seconds);
            assertEquals(2, calls.get());
        } finally {
            endless.stop(0);
        }
    }
}
