package com.mimecastsentinel.logtypes;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.HttpsFake;
import com.mimecastsentinel.support.SimulatedAccount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Threat intelligence through its YAML route: both feeds from the simulator over HTTPS, indicators to an HTTPS
 * fake of Sentinel's STIX upload API, checkpoints in Azurite.
 */
@ExtendWith(Azurite.class)
class ThreatIntelTest {
    private static final String WORKSPACE = "11111111-2222-3333-4444-555555555555";
    private static final String UPLOAD = "/workspaces/" + WORKSPACE + "/threat-intelligence-stix-objects:upload";
    private final ObjectMapper json = new ObjectMapper();
    private SimulatedAccount account;

    @BeforeEach
    void start() {
        account = new SimulatedAccount(Duration.ofMinutes(1));
    }

    @AfterEach
    void stop() {
        account.close();
    }

    private JsonNode readJson(String text) {
        try {
            return json.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(text, e);
        }
    }

    private int runOnce() {
        String url = HttpsFake.url(account.azure.server);
        return account.runOnce("threat-intel", Map.of("SENTINEL_WORKSPACE_ID", WORKSPACE,
                "SENTINEL_TI_ENDPOINT", url));
    }

    @Test
    void everyIndicatorOfBothFeedsOnceAsStix21AndRejectedObjectsAreNotResent() throws Exception {
        var server = account.azure.server;
        // the second request has one object rejected; everything else is accepted; the fourth fails outright
        server.stubFor(post(urlPathEqualTo(UPLOAD)).inScenario("ti").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200)).willSetStateTo("two"));
        server.stubFor(post(urlPathEqualTo(UPLOAD)).inScenario("ti").whenScenarioStateIs("two")
                .willReturn(okJson("{\"errors\":[{\"recordIndex\":3,\"errorMessages\":[\"Invalid pattern\"]}]}"))
                .willSetStateTo("three"));
        server.stubFor(post(urlPathEqualTo(UPLOAD)).inScenario("ti").whenScenarioStateIs("three")
                .willReturn(aResponse().withStatus(200)).willSetStateTo("down"));
        server.stubFor(post(urlPathEqualTo(UPLOAD)).inScenario("ti").whenScenarioStateIs("down")
                .willReturn(aResponse().withStatus(400)));

        assertEquals(1, runOnce(), "the failed upload fails the run");
        JsonNode checkpoint = account.checkpoint("threat-intel");
        assertNotNull(checkpoint.path("feeds").path("malware_customer").get("window"), "stopped inside a window");

        server.resetScenarios();
        server.stubFor(post(urlPathEqualTo(UPLOAD)).inScenario("ti").whenScenarioStateIs(Scenario.STARTED)
                .atPriority(1).willReturn(aResponse().withStatus(200)));
        assertEquals(0, runOnce());
        assertEquals(0, runOnce());

        checkpoint = account.checkpoint("threat-intel");
        Map<String, Integer> uploaded = new HashMap<>();
        List<JsonNode> bodies = new ArrayList<>();
        for (ServeEvent served : server.getAllServeEvents()) {
            if (served.getRequest().getUrl().startsWith(UPLOAD) && served.getResponse().getStatus() == 200) {
                JsonNode body = json.readTree(served.getRequest().getBodyAsString());
                bodies.add(body);
                for (JsonNode object : body.path("stixobjects")) {
                    uploaded.merge(object.path("id").asText(), 1, Integer::sum);
                }
            }
        }
        Set<String> expected = new java.util.HashSet<>();
        int damaged = 0;
        for (String feed : List.of("malware_customer", "malware_grid")) {
            Instant until = Instant.parse(checkpoint.path("feeds").path(feed).path("completedUntil").asText());
            List<com.fasterxml.jackson.databind.node.ObjectNode> indicators = account.simulator.indicators(feed,
                    account.start.atStartOfDay(ZoneOffset.UTC).toInstant(), until);
            expected.addAll(indicators.stream().filter(i -> i.has("pattern"))
                    .map(i -> i.path("id").asText()).collect(Collectors.toSet()));
            damaged += (int) indicators.stream().filter(i -> !i.has("pattern")).count();
        }
        assertEquals(expected, uploaded.keySet(), "every indicator of both feeds, nothing else");
        assertTrue(uploaded.values().stream().allMatch(n -> n == 1), "none twice, the rejected one included");
        for (JsonNode body : bodies) {
            assertEquals("Mimecast", body.path("sourcesystem").asText());
            assertTrue(body.path("stixobjects").size() <= 100);
            for (JsonNode object : body.path("stixobjects")) {
                assertEquals("indicator", object.path("type").asText());
                assertEquals("2.1", object.path("spec_version").asText());
                assertEquals("stix", object.path("pattern_type").asText());
            }
        }
        List<JsonNode> deadLetters = account.deadLetters("threat-intel");
        assertTrue(damaged > 0, "the feed had indicators without a pattern");
        assertEquals(1, deadLetters.stream().filter(d -> d.path("reason").asText().contains("Invalid pattern"))
                .count(), "the rejected indicator");
        assertEquals(damaged, deadLetters.stream().filter(d -> d.path("reason").asText().contains("lacks a required"))
                .count(), "every indicator without a pattern");
        deadLetters.forEach(d -> assertEquals("indicator", readJson(d.path("content").asText()).path("type").asText()));
        server.getAllServeEvents().stream().filter(e -> e.getRequest().getUrl().startsWith(UPLOAD))
                .forEach(e -> assertEquals("Bearer " + account.azure.token, e.getRequest().getHeader("Authorization")));
    }
}
