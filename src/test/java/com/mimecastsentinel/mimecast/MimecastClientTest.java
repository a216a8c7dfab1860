package com.mimecastsentinel.mimecast;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.mimecastsentinel.support.HttpsFake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MimecastClientTest {
    private static final String PATH = "/api/audit/get-audit-events";
    private final ObjectMapper json = new ObjectMapper();
    private final List<Duration> waits = new ArrayList<>();
    private WireMockServer server;
    private MimecastClient client;

    @BeforeEach
    void start() {
        server = HttpsFake.start();
        server.stubFor(post("/oauth/token").inScenario("token").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"access_token\":\"first\",\"expires_in\":1800}")).willSetStateTo("second"));
        server.stubFor(post("/oauth/token").inScenario("token").whenScenarioStateIs("second")
                .willReturn(okJson("{\"access_token\":\"second\",\"expires_in\":1800}")));
        URI base = URI.create(HttpsFake.url(server));
        HttpClient http = HttpClient.newHttpClient();
        OAuthTokenProvider auth = new OAuthTokenProvider(base, "id", "secret", http, Duration.ofSeconds(10),
                Clock.systemUTC());
        RetryPolicy retry = new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(2),
                waits::add);
        client = new MimecastClient(base, auth, http, retry, Duration.ofSeconds(10), json);
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private JsonNode call() {
        return client.post(PATH, json.createObjectNode().putObject("meta"));
    }

    @Test
    void waitsAsLongAsTheRateLimitResetSaysThenContinues() {
        server.stubFor(post(PATH).inScenario("rl").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("X-RateLimit-Reset", "2500"))
                .willSetStateTo("ok"));
        server.stubFor(post(PATH).inScenario("rl").whenScenarioStateIs("ok")
                .willReturn(okJson("{\"meta\":{\"status\":200},\"data\":[{\"id\":\"a\"}],\"fail\":[]}")));

        List<String> told = new java.util.ArrayList<>();
        client = client.withRateLimitListener(told::add).forCaller("audit");
        assertEquals("a", call().path("data").path(0).path("id").asText());
        assertEquals(List.of(Duration.ofMillis(2500)), waits);
        assertEquals(List.of("audit"), told, "the one 429 is counted, for the log type that met it");
    }

    @Test
    void retryAfterSecondsIsHonouredAndCapped() {
        server.stubFor(post(PATH).inScenario("rl").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")).willSetStateTo("long"));
        server.stubFor(post(PATH).inScenario("rl").whenScenarioStateIs("long")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3600")).willSetStateTo("ok"));
        server.stubFor(post(PATH).inScenario("rl").whenScenarioStateIs("ok")
                .willReturn(okJson("{\"data\":[],\"fail\":[]}")));

        call();
        assertEquals(List.of(Duration.ofSeconds(7), Duration.ofMinutes(2)), waits);
    }

    @Test
    void serverErrorsAreRetriedABoundedNumberOfTimesThenFailLoudly() {
        server.stubFor(post(PATH).willReturn(aResponse().withStatus(503)));
        MimecastException e = assertThrows(MimecastException.class, this::call);
        assertTrue(e.getMessage().contains("failed after 4 attempts"), e.getMessage());
        server.verify(4, postRequestedFor(urlEqualTo(PATH)));
        assertEquals(3, waits.size());
        for (int i = 0; i < waits.size(); i++) {
            long ceiling = 1000L << i;
            assertTrue(waits.get(i).toMillis() >= ceiling / 2 && waits.get(i).toMillis() <= ceiling,
                    "exponential backoff with jitter: " + waits);
        }
    }

    @Test
    void connectionResetsAndTimeoutsAreRetried() {
        server.stubFor(post(PATH).inScenario("net").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER))
                .willSetStateTo("slow"));
        server.stubFor(post(PATH).inScenario("net").whenScenarioStateIs("slow")
                .willReturn(okJson("{\"data\":[],\"fail\":[]}").withFixedDelay(3000)).willSetStateTo("ok"));
        server.stubFor(post(PATH).inScenario("net").whenScenarioStateIs("ok")
                .willReturn(okJson("{\"data\":[{\"id\":\"c\"}],\"fail\":[]}")));
        MimecastClient impatient = new MimecastClient(URI.create(HttpsFake.url(server)), new OAuthTokenProvider(
                URI.create(HttpsFake.url(server)), "id", "secret", HttpClient.newHttpClient(), Duration.ofSeconds(10),
                Clock.systemUTC()), HttpClient.newHttpClient(), new RetryPolicy(4, Duration.ofSeconds(1),
                        Duration.ofSeconds(30), Duration.ofMinutes(2), waits::add), Duration.ofSeconds(1), json);
        assertEquals("c", impatient.post(PATH, json.createObjectNode()).path("data").path(0).path("id").asText());
        assertEquals(2, waits.size(), "one backoff after the reset, one after the timeout");
    }

    @Test
    void a401ReauthenticatesOnceAndContinues() {
        server.stubFor(post(PATH).withHeader("Authorization", equalTo("Bearer first"))
                .willReturn(aResponse().withStatus(401)));
        server.stubFor(post(PATH).withHeader("Authorization", equalTo("Bearer second"))
                .willReturn(okJson("{\"data\":[],\"fail\":[]}")));

        call();
        server.verify(2, postRequestedFor(urlEqualTo("/oauth/token")));
        assertTrue(waits.isEmpty());
    }

    @Test
    void a401AfterReauthenticationIsAnError() {
        server.stubFor(post(PATH).willReturn(aResponse().withStatus(401)));
        MimecastException e = assertThrows(MimecastException.class, this::call);
        assertEquals(401, e.status());
        server.verify(2, postRequestedFor(urlEqualTo("/oauth/token")));
    }

    @Test
    void http200WithFailIsAnError() {
        server.stubFor(post(PATH).willReturn(okJson("{\"meta\":{\"status\":200},\"data\":[],\"fail\":[{\"errors\":"
                + "[{\"code\":\"err_validation_blank\",\"message\":\"startDateTime is blank\",\"retryable\":false}]}]}")));
        MimecastException e = assertThrows(MimecastException.class, this::call);
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("err_validation_blank"), e.getMessage());
        server.verify(1, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void retryableFailuresInsideA200AreRetried() {
        server.stubFor(post(PATH).inScenario("f").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"data\":[],\"fail\":[{\"errors\":[{\"code\":\"err_busy\",\"retryable\":true}]}]}"))
                .willSetStateTo("ok"));
        server.stubFor(post(PATH).inScenario("f").whenScenarioStateIs("ok")
                .willReturn(okJson("{\"data\":[{\"id\":\"b\"}],\"fail\":[]}")));
        assertEquals("b", call().path("data").path(0).path("id").asText());
        assertEquals(1, waits.size());
    }

    @Test
    void http418SaysTheAccessKeyBindingExpired() {
        server.stubFor(post(PATH).willReturn(aResponse().withStatus(418)));
        MimecastException e = assertThrows(MimecastException.class, this::call);
        assertTrue(e.getMessage().contains("access key binding expired"), e.getMessage());
        server.verify(1, postRequestedFor(urlEqualTo(PATH)));
    }
}
