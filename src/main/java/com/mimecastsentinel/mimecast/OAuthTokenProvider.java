package com.mimecastsentinel.mimecast;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.logging.Secrets;

/**
 * API 2.0 OAuth2 client-credentials token, cached until 60 s before it expires and fetched again once after a 401.
 */
public final class OAuthTokenProvider implements MimecastAuth {
    static final Duration REFRESH_MARGIN = Duration.ofSeconds(60);

    private final URI tokenUrl;
    private final String clientId;
    private final String clientSecret;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    private String token;
    private Instant refreshAt = Instant.MIN;
    private long tokenRequests;

    public OAuthTokenProvider(URI baseUrl, String clientId, String clientSecret, HttpClient http, Duration timeout,
            Clock clock) {
        this.tokenUrl = URI.create(baseUrl + "/oauth/token");
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
    }

    @Override
    public void authorize(HttpRequest.Builder request, String path) {
        request.header("Authorization", "Bearer " + token());
    }

    @Override
    public synchronized boolean invalidate() {
        token = null;
        refreshAt = Instant.MIN;
        return true;
    }

    @Override
    public void check() {
        token();
    }

    /** How many tokens were requested so far (a metric: one per ~29 minutes is the expected rate). */
    public synchronized long tokenRequests() {
        return tokenRequests;
    }

    synchronized String token() {
        if (token == null || !clock.instant().isBefore(refreshAt)) {
            fetch();
        }
        return token;
    }

    private void fetch() {
        String form = "client_id=" + encode(clientId) + "&client_secret=" + encode(clientSecret)
                + "&grant_type=client_credentials";
        HttpRequest request = HttpRequest.newBuilder(tokenUrl).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        HttpResponse<String> response;
        try {
            tokenRequests++;
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new MimecastException("Mimecast token request to " + tokenUrl + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MimecastException("interrupted while requesting a Mimecast token", e);
        }
        int status = response.statusCode();
        if (status == 400 || status == 401 || status == 403) {
            throw new MimecastException("Mimecast rejected the OAuth client credentials (HTTP " + status
                    + "): check MIMECAST_CLIENT_ID and MIMECAST_CLIENT_SECRET", status, false);
        }
        if (status != 200) {
            throw new MimecastException("Mimecast token request failed with HTTP " + status, status, status >= 500);
        }
        try {
            JsonNode body = json.readTree(response.body());
            String accessToken = body.path("access_token").asText(null);
            long expiresIn = body.path("expires_in").asLong(1800);
            if (accessToken == null || accessToken.isEmpty()) {
                throw new MimecastException("Mimecast token response has no access_token", status, false);
            }
            Secrets.registerIssued(accessToken);
            token = accessToken;
            refreshAt = clock.instant().plusSeconds(expiresIn).minus(REFRESH_MARGIN);
        } catch (IOException e) {
            throw new MimecastException("Mimecast token response is not JSON", status, false);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
