package com.mimecastsentinel.mimecast;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that talks HTTP to the Mimecast API: authentication, bounded retries (429 honouring the
 * rate-limit headers, 5xx and transport errors with backoff, one re-authentication on 401), and the envelope's
 * {@code fail[]} check (HTTP 200 is not success on its own).
 */
public final class MimecastClient {
    private static final Logger LOG = LoggerFactory.getLogger(MimecastClient.class);

    private final URI baseUrl;
    private final MimecastAuth auth;
    private final HttpClient http;
    private final RetryPolicy retry;
    private final Duration timeout;
    private final ObjectMapper json;
    private final java.util.function.Consumer<String> rateLimitListener;
    private final String caller;

    public MimecastClient(URI baseUrl, MimecastAuth auth, HttpClient http, RetryPolicy retry, Duration timeout,
            ObjectMapper json) {
        this(baseUrl, auth, http, retry, timeout, json, caller -> { }, "");
    }

    private MimecastClient(URI baseUrl, MimecastAuth auth, HttpClient http, RetryPolicy retry, Duration timeout,
            ObjectMapper json, java.util.function.Consumer<String> rateLimitListener,
            String caller) {
        this.baseUrl = baseUrl;
        this.auth = auth;
        this.http = http;
        this.retry = retry;
        this.timeout = timeout;
        this.json = json;
        this.rateLimitListener = rateLimitListener;
        this.caller = caller;
    }

    /** The same client (token, connections) telling 429s to this listener with the caller's name. */
    public MimecastClient withRateLimitListener(java.util.function.Consumer<String> listener) {
        return new MimecastClient(baseUrl, auth, http, retry, timeout, json, listener, caller);
    }

    /** The same client, naming {@code name} (a log type) to the rate-limit listener. */
    public MimecastClient forCaller(String name) {
        return new MimecastClient(baseUrl, auth, http, retry, timeout, json, rateLimitListener, name);
    }

    /**
     * A successful answer: its JSON body (null when the answer is a file), the raw bytes of a file answer, and
     * the headers (some endpoints page through a header).
     */
    public record Reply(JsonNode body, byte[] file, java.net.http.HttpHeaders headers) {
        public boolean isFile() {
            return file != null;
        }
    }

    /** POSTs an envelope request and returns the response envelope once it is a success. */
    public JsonNode post(String path, JsonNode body) {
        return postForReply(path, body).body();
    }

    /** POSTs a request and returns the successful answer with its headers. */
    public Reply postForReply(String path, JsonNode body) {
        byte[] payload;
        try {
            payload = json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("request body cannot be serialized", e);
        }
        return call(path, path, payload);
    }

    /**
     * GETs an API 2.0 resource ({@code path} may carry a query) and returns its JSON once it is a success;
     * errors come as {@code {"error":{"code","message"}}}.
     */
    public JsonNode get(String pathAndQuery) {
        return call(pathAndQuery, URI.create(pathAndQuery).getPath(), null).body();
    }

    /**
     * Downloads a pre-signed file URL (SIEM batch files): no Authorization header, since the URL carries its own
     * signature. 403/404 mean the URL expired: {@link FileUrlExpiredException}, so the caller lists again.
     */
    public byte[] download(URI url) {
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> response;
            try {
                response = exchange(HttpRequest.newBuilder(url).timeout(timeout).GET().build(), timeout.multipliedBy(5));
            } catch (IOException e) {
                giveUpOrWait(url.getPath(), attempt, "transport error " + e.getClass().getSimpleName() + " "
                        + e.getMessage(), retry.backoff(attempt), e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MimecastException("interrupted downloading " + url.getPath(), e);
            }
            int status = response.statusCode();
            if (status == 200) {
                return response.body();
            }
            if (status == 403 || status == 404) {
                throw new FileUrlExpiredException(url.getPath(), status);
            }
            if (status == 429) {
                countRateLimit();
            }
            if (status == 429 || status >= 500) {
                giveUpOrWait(url.getPath(), attempt, "HTTP " + status, status == 429
                        ? retry.rateLimitWait(response.headers(), attempt) : retry.backoff(attempt), null);
                continue;
            }
            throw new MimecastException("download of " + url.getPath() + " answered HTTP " + status, status, false);
        }
    }

    /**
     * Sends and waits for the whole answer, body included, at most {@code deadline}: the JDK client's request
     * timeout stops counting once the headers arrived, and a stalled body must not hang a log type forever.
     */
    private HttpResponse<byte[]> exchange(HttpRequest request, Duration deadline)
            throws IOException, InterruptedException {
        java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> future =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            return future.get(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            future.cancel(true);
            throw new java.net.http.HttpTimeoutException("no complete answer within " + deadline.toSeconds() + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    private Reply call(String target, String path, byte[] payload) {
        boolean reauthenticated = false;
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> response;
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + target)).timeout(timeout)
                        .header("Accept", "application/json");
                if (payload == null) {
                    request.GET();
                } else {
                    request.header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
                }
                auth.authorize(request, path);
                response = exchange(request.build(), timeout.multipliedBy(2));
            } catch (IOException | MimecastException e) {
                if (e instanceof MimecastException m && !m.retryable()) {
                    throw m;
                }
                String reason = e instanceof MimecastException ? e.getMessage()
                        : "transport error " + e.getClass().getSimpleName() + " " + e.getMessage();
                giveUpOrWait(path, attempt, reason, retry.backoff(attempt), e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MimecastException("interrupted calling Mimecast " + path, e);
            }
            int status = response.statusCode();
            if (status == 401 && !reauthenticated && auth.invalidate()) {
                reauthenticated = true; // token expired mid-run: authenticate once more, then go on
                LOG.info("Mimecast answered 401 on {}: re-authenticating once", path);
                attempt--;
                continue;
            }
            if (status == 418) {
                throw new MimecastException("Mimecast API 1.0 access key binding expired (HTTP 418) on " + path
                        + ": an administrator must bind the access and secret keys again", 418, false);
            }
            if (status == 429) {
                countRateLimit();
                giveUpOrWait(path, attempt, "rate limited (HTTP 429)", retry.rateLimitWait(response.headers(), attempt),
                        null);
                continue;
            }
            if (status >= 500) {
                giveUpOrWait(path, attempt, "HTTP " + status, retry.backoff(attempt), null);
                continue;
            }
            if (status != 200) {
                throw new MimecastException("Mimecast " + path + " answered HTTP " + status + describe(response.body()),
                        status, false);
            }
            String type = response.headers().firstValue("Content-Type").orElse("application/json");
            if (!type.contains("json")) {
                return new Reply(null, response.body(), response.headers()); // a file (SIEM API 1.0)
            }
            JsonNode envelope = parse(path, response.body());
            MimecastException failure = failure(path, envelope);
            if (failure == null) {
                return new Reply(envelope, null, response.headers());
            }
            if (!failure.retryable()) {
                throw failure;
            }
            giveUpOrWait(path, attempt, failure.getMessage(), retry.backoff(attempt), failure);
        }
    }

    private void countRateLimit() {
        rateLimitListener.accept(caller);
    }

    private void giveUpOrWait(String path, int attempt, String reason, Duration wait, Exception cause) {
        if (attempt >= retry.maxAttempts()) {
            String message = "Mimecast " + path + " failed after " + attempt + " attempts: " + reason;
            if (cause instanceof MimecastException m) {
                throw new MimecastException(message, m.status(), true);
            }
            throw cause == null ? new MimecastException(message, 0, true) : new MimecastException(message, cause);
        }
        LOG.warn("Mimecast {} {}: attempt {}/{}, retrying in {} ms", path, reason, attempt, retry.maxAttempts(),
                wait.toMillis());
        retry.sleep(wait);
    }

    private JsonNode parse(String path, byte[] body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw new MimecastException("Mimecast " + path + " returned a body that is not JSON", 200, true);
        }
    }

    /** HTTP 200 with a non-empty fail[] is an error; retryable only if Mimecast says every error is. */
    static MimecastException failure(String path, JsonNode envelope) {
        JsonNode apiError = envelope.path("error");
        if (apiError.isObject()) {
            return new MimecastException("Mimecast " + path + " reported error " + apiError.path("code").asText("?")
                    + ": " + apiError.path("message").asText(""), 200, false);
        }
        JsonNode fail = envelope.path("fail");
        if (!fail.isArray() || fail.isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        java.util.List<String> codes = new java.util.ArrayList<>();
        boolean retryable = true;
        for (JsonNode item : fail) {
            for (JsonNode error : item.path("errors")) {
                if (text.length() > 0) {
                    text.append("; ");
                }
                codes.add(error.path("code").asText("?"));
                text.append(error.path("code").asText("?")).append(": ").append(error.path("message").asText(""));
                retryable &= error.path("retryable").asBoolean(false);
            }
        }
        return new MimecastException("Mimecast " + path + " reported failure: " + text, 200, retryable, codes);
    }

    private static String describe(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String text = new String(body, 0, Math.min(body.length, 300), java.nio.charset.StandardCharsets.UTF_8);
        return ": " + text.replaceAll("\\s+", " ");
    }
}
