package com.mimecastsentinel.source;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.logging.Secrets;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * The API 2.0 OAuth 2.0 client-credentials token, fetched from {@code /oauth/token} through camel-http, cached until
 * 60 s before it expires, and fetched again when a 401 says it expired early.
 */
public final class OAuthToken {
    static final Duration REFRESH_MARGIN = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProducerTemplate producer;
    private final String baseUrl;
    private final String clientId;
    private final java.util.function.Supplier<String> clientSecret;
    private final Clock clock;

    private String token;
    private Instant refreshAt = Instant.MIN;

    /** The route that asks for a token (routes/mimecast-api.yaml): its answer read within the answers' bounds. */
    static final String ROUTE = "direct:mimecast-token";

    /** The variable naming the base URL the token route asks (its account's). */
    static final String BASE_URL = "mimecastBaseUrl";

    public OAuthToken(ProducerTemplate producer, String baseUrl, String clientId, String clientSecret, Clock clock) {
        this(producer, baseUrl, clientId, () -> clientSecret, clock);
    }

    /**
     * @param clientSecret asked at each token request: a secret mounted as a file that rotates (Key Vault CSI,
     *                     Kubernetes secrets) is read again, without a restart
     */
    public OAuthToken(ProducerTemplate producer, String baseUrl, String clientId,
            java.util.function.Supplier<String> clientSecret, Clock clock) {
        this.producer = producer;
        this.baseUrl = baseUrl;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.clock = clock;
    }

    /** A valid token, fetched when there is none or it is about to expire. */
    public synchronized String get() {
        if (token == null || !clock.instant().isBefore(refreshAt)) {
            fetch();
        }
        return token;
    }

    /**
     * This token was refused before its time (a 401): the next {@link #get} fetches a new one. A token other calls
     * already replaced is left alone, so log types refused at once fetch one new token, not one each.
     */
    public synchronized void forget(String refused) {
        if (token != null && token.equals(refused)) {
            token = null;
            refreshAt = Instant.MIN;
        }
    }

    private void fetch() {
        String form = "client_id=" + encode(clientId) + "&client_secret=" + encode(clientSecret.get())
                + "&grant_type=client_credentials";
        Exchange answer = producer.send(ROUTE, exchange -> {
            exchange.setVariable(BASE_URL, baseUrl);
            exchange.getMessage().setBody(form);
        });
        Exception failure = answer.getException();
        HttpOperationFailedException refused = MimecastRetries.answer(failure);
        int status = refused != null ? refused.getStatusCode() : 200;
        if (status == 400 || status == 401 || status == 403) {
            throw new MimecastFailure.CredentialsRefused("Mimecast rejected the OAuth client credentials (HTTP " + status
                    + "): check the client id and secret (MIMECAST_CLIENT_ID and MIMECAST_CLIENT_SECRET, or the "
                    + "account's entry in MIMECAST_ACCOUNTS_FILE)", status);
        }
        if (refused != null && (status == 429 || status >= 500)) {
            // tried again like the call it is for, waiting as the answer says
            throw new MimecastFailure.Retryable("Mimecast token request answered HTTP " + status, status, refused);
        }
        if (failure != null && refused == null && !(failure instanceof MimecastFailure)) {
            // no answer at all: retried like any transport failure of a Mimecast call
            throw new MimecastFailure.Retryable("Mimecast token request failed: " + failure, 0, failure);
        }
        if (failure != null) {
            throw new MimecastFailure("Mimecast token request failed: " + failure.getMessage(), status);
        }
        byte[] body = answer.getMessage().getBody(byte[].class);
        try {
            JsonNode json = JSON.readTree(body);
            String accessToken = json.path("access_token").asText(null);
            long expiresIn = json.path("expires_in").asLong(1800);
            if (accessToken == null || accessToken.isEmpty()) {
                throw new MimecastFailure("Mimecast token response has no access_token", status);
            }
            Secrets.registerIssued(accessToken);
            token = accessToken;
            refreshAt = clock.instant().plusSeconds(expiresIn).minus(REFRESH_MARGIN);
        } catch (IOException e) {
            throw new MimecastFailure("Mimecast token response is not JSON", status);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
