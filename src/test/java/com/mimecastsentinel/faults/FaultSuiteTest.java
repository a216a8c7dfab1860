package com.mimecastsentinel.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.SimulatedAccount;
import com.mimecastsentinel.transform.EventIds;
import org.junit.jupiter.api.Test;

/**
 * The fault suite's single faults, each through the real routes against the simulator and the Azure fakes: Mimecast
 * 429s, outages and token expiry, Logs Ingestion throttling, clock skew, bad input, a checkpoint store outage. The
 * degraded APIs, the crashes and the two instances are {@link DegradedApisTest}, {@link CrashTest} and
 * {@link TwoInstancesTest}; the table of all is {@code target/fault-suite.txt}.
 */
class FaultSuiteTest extends FaultScenarios {
    @Test
    void mimecastRateLimitIsWaitedOut() throws Exception {
        account.simulator.failAfter(3, 2, 429, Map.of("X-RateLimit-Reset", "1200"));
        long started = System.nanoTime();
        assertEquals(0, account.runOnce("audit", audit(Map.of())));
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(2400), "waited as told, twice");
        record("Mimecast 429 with X-RateLimit-Reset", verifyAudit());
    }

    @Test
    void mimecastOutageFailsTheRunAndTheNextResumes() throws Exception {
        account.simulator.failAfter(4, 3, 503, Map.of());
        assertEquals(1, account.runOnce("audit", audit(Map.of("MIMECAST_MAX_ATTEMPTS", "3"))), "fails loudly");
        assertTrue(account.checkpoint("audit").has("window"), "the checkpoint stays mid-window");
        assertEquals(0, account.runOnce("audit", audit(Map.of("MIMECAST_MAX_ATTEMPTS", "3"))));
        record("Mimecast 5xx beyond the retry budget", verifyAudit());
    }

    @Test
    void tokenExpiryMidRunReauthenticatesOnce() throws Exception {
        account.simulator.expireTokensAfter(5);
        assertEquals(0, account.runOnce("audit", audit(Map.of())));
        assertEquals(2, account.simulator.tokenRequests(), "one new token");
        record("Mimecast token expiry mid-run (401)", verifyAudit());
    }

    @Test
    void ingestionThrottlingAndOutageAreRetried() throws Exception {
        var server = account.azure.server;
        server.stubFor(post(urlPathMatching("/dataCollectionRules/.*")).atPriority(1).inScenario("throttle")
                .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(204)).willSetStateTo("429"));
        server.stubFor(post(urlPathMatching("/dataCollectionRules/.*")).atPriority(1).inScenario("throttle")
                .whenScenarioStateIs("429").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1"))
                .willSetStateTo("503"));
        server.stubFor(post(urlPathMatching("/dataCollectionRules/.*")).atPriority(1).inScenario("throttle")
                .whenScenarioStateIs("503").willReturn(aResponse().withStatus(503).withHeader("Retry-After", "1"))
                .willSetStateTo("ok"));
        server.stubFor(post(urlPathMatching("/dataCollectionRules/.*")).atPriority(1).inScenario("throttle")
                .whenScenarioStateIs("ok").willReturn(aResponse().withStatus(204)));
        assertEquals(0, account.runOnce("audit", audit(Map.of())));
        record("Logs Ingestion 429 and 503 with Retry-After", verifyAudit());
    }

    @Test
    void clockSkewAndEmptyWindowsAskForNothingNegative() throws Exception {
        assertEquals(0, account.runOnce("audit", audit(Map.of())));
        assertEquals(0, account.runOnce("audit", audit(Map.of())), "an (almost) empty window");
        int uploads = account.azure.uploads("Custom-Audit").size();
        // a checkpoint from a clock an hour ahead: no negative window, no error, nothing sent twice
        ObjectNodeEditor.shiftCompletedUntil(account, "audit", Duration.ofHours(1));
        assertEquals(0, account.runOnce("audit", audit(Map.of())));
        assertTrue(account.azure.uploads("Custom-Audit").size() <= uploads + 1);
        record("Clock skew and empty windows", verifyAudit());
    }

    @Test
    void badInputGoesToDeadLetterAndTheRestFlowsOn() throws Exception {
        long firstHour = account.start.atStartOfDay(ZoneOffset.UTC).toEpochSecond() / 3600;
        account.simulator.malformLineIn("/siem-files/cg/" + (firstHour + 1) + ".json.gz");
        account.simulator.truncate("/siem-files/cg/" + (firstHour + 3) + ".json.gz");
        assertEquals(0, account.runOnce("siem", Map.of()));
        Set<String> expected = expectedSiem(account.start);
        Map<String, Integer> delivered = account.azure.deliveredIds("Custom-Seg_Cg");
        Set<String> kept = account.simulator.events("/siem/v1/batch/events/cg").between(
                Instant.ofEpochSecond((firstHour + 3) * 3600), Instant.ofEpochSecond((firstHour + 4) * 3600 - 1))
                .stream().map(e -> EventIds.of(e, null, SIEM_KEYS)).collect(Collectors.toSet());
        Set<String> lost = new HashSet<>(expected);
        lost.removeAll(delivered.keySet());
        lost.removeAll(kept); // the truncated file is in the dead-letter location whole
        int deadLettered = account.deadLetters("siem").size();
        row("bad input: bad lines, truncated gzip (siem)",
                expected.size(), delivered.size(), delivered.values().stream().mapToInt(n -> n - 1).sum(),
                lost.size(), deadLettered, lost.isEmpty() && deadLettered == 3 ? "PASS" : "FAIL");
        assertTrue(lost.isEmpty(), "nothing lost");
        assertEquals(3, deadLettered, "two bad lines and the truncated file");
    }

    @Test
    void checkpointStoreOutageIsWaitedOutWithoutResending() throws Exception {
        String azurite = Azurite.connectionString().replaceAll(".*BlobEndpoint=(http://[^/]+)/.*", "$1");
        var proxy = new WireMockServer(
                WireMockConfiguration.options().bindAddress("127.0.0.1").port(0));
        proxy.start();
        try {
            proxy.stubFor(any(
                    anyUrl()).atPriority(10)
                    .willReturn(aResponse().proxiedFrom(azurite)));
            // the 3rd to 10th checkpoint writes find the store unavailable, then it is back
            String state = Scenario.STARTED;
            for (int i = 1; i <= 10; i++) {
                String next = "write-" + i;
                var write = put(
                        urlPathMatching(".*/checkpoints(/|%2F)audit\\.json"))
                        .atPriority(1).inScenario("outage").whenScenarioStateIs(state).willSetStateTo(next);
                proxy.stubFor(write.willReturn(i <= 2 ? aResponse().proxiedFrom(azurite)
                        : aResponse().withStatus(503).withBody("ServerBusy")));
                state = next;
            }
            String proxied = Azurite.connectionString().replace(azurite, "http://127.0.0.1:" + proxy.port());
            assertEquals(0, account.runOnce("audit", audit(Map.of("AZURE_STORAGE_CONNECTION_STRING", proxied))));
            assertTrue(proxy.findAll(putRequestedFor(
                    urlPathMatching(".*/checkpoints(/|%2F)audit\\.json")))
                    .size() >= 10, "the outage was met");
        } finally {
            proxy.stop();
        }
        record("Blob unavailable during checkpoint commits", verifyAudit());
    }

    /** Edits a stored checkpoint as a skewed clock would have written it. */
    static final class ObjectNodeEditor {
        static void shiftCompletedUntil(SimulatedAccount account, String logType, Duration ahead) throws Exception {
            var blob = new com.azure.storage.blob.BlobServiceClientBuilder().connectionString(
                    Azurite.connectionString()).buildClient().getBlobContainerClient(account.container)
                    .getBlobClient("checkpoints/" + logType + ".json");
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper()
                    .readTree(blob.downloadContent().toBytes());
            node.put("completedUntil", Instant.now().plus(ahead).toString());
            blob.upload(com.azure.core.util.BinaryData.fromString(node.toString()), true);
        }
    }
}
