package com.mimecastsentinel.mimecast;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
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
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.mimecastsentinel.support.HttpsFake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OAuthTokenProviderTest {
    private WireMockServer server;
    private MutableClock clock;
    private OAuthTokenProvider provider;

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void start() {
        server = HttpsFake.start();
        server.stubFor(post("/oauth/token").withRequestBody(containing("grant_type=client_credentials"))
                .withRequestBody(containing("client_id=cid")).withRequestBody(containing("client_secret=s%26cret"))
                .willReturn(okJson("{\"access_token\":\"tok\",\"token_type\":\"Bearer\",\"expires_in\":1800}")));
        clock = new MutableClock();
        provider = new OAuthTokenProvider(URI.create(HttpsFake.url(server)), "cid", "s&cret",
                HttpClient.newHttpClient(), Duration.ofSeconds(10), clock);
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void cachesTheTokenUntilSixtySecondsBeforeExpiry() {
        assertEquals("tok", provider.token());
        clock.now = clock.now.plusSeconds(1800 - 61);
        assertEquals("tok", provider.token());
        server.verify(1, postRequestedFor(urlEqualTo("/oauth/token")));

        clock.now = clock.now.plusSeconds(1);
        provider.token();
        server.verify(2, postRequestedFor(urlEqualTo("/oauth/token")));
        assertEquals(2, provider.tokenRequests());
    }

    @Test
    void invalidateForcesANewToken() {
        provider.token();
        assertTrue(provider.invalidate());
        provider.token();
        server.verify(2, postRequestedFor(urlEqualTo("/oauth/token")));
    }

    @Test
    void rejectedCredentialsAreNotRetriedAndNameTheSettings() {
        server.resetAll();
        server.stubFor(post("/oauth/token").willReturn(aResponse().withStatus(401)));
        MimecastException e = assertThrows(MimecastException.class, provider::token);
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("MIMECAST_CLIENT_ID"));
        assertFalse(e.getMessage().contains("s&cret"), "the secret never appears in a message");
    }
}
