package com.mimecastsentinel.source;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;

import com.mimecastsentinel.run.ConnectorMetrics;
import com.mimecastsentinel.run.Run;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * The retry decisions of one Mimecast call (one exchange: routes/mimecast-api.yaml gives every call an exchange of
 * its own, so what earlier calls of a run spent never counts). As the {@code onExceptionOccurred} step of the call
 * route's error handling it judges each failure, and {@link #retryWhile} tells Camel whether to try again:
 * <ul>
 * <li>429, 5xx, no answer in time, a broken connection, a failure Mimecast marks retryable: up to
 * MIMECAST_MAX_ATTEMPTS attempts of the call; a 429 waits as long as the answer says ({@code X-RateLimit-Reset} in
 * milliseconds, or {@code Retry-After} in seconds), at most MIMECAST_MAX_RATE_LIMIT_WAIT, by setting Camel's
 * {@code CamelRedeliveryDelay}; without either header (and for the other failures) the route's backoff applies;</li>
 * <li>401 with an OAuth token (it was revoked or expired early): that token is forgotten, and the call gets one
 * fresh token and one more try at once, whatever the other failures of the call;</li>
 * <li>anything else (a 4xx, an answer that is not what was asked for, a refused URL): no retry.</li>
 * </ul>
 * 429s are counted in {@code mimecast_rate_limited_total}.
 */
public final class MimecastRetries implements Processor {
    /** Exchange properties of the call: its retryable failures and 401s so far, and the decision on the last one. */
    static final String FAILURES = "mimecastCallFailures";
    static final String UNAUTHORIZED = "mimecastCallUnauthorized";
    static final String RETRY = "mimecastCallRetry";

    private final int maxAttempts;
    private final Duration maxWait;
    private final ConnectorMetrics metrics;
    private final MimecastAuth auth;

    public MimecastRetries(int maxAttempts, Duration maxWait, ConnectorMetrics metrics, MimecastAuth auth) {
        this.maxAttempts = maxAttempts;
        this.maxWait = maxWait;
        this.metrics = metrics;
        this.auth = auth;
    }

    /** The {@code retryWhile} of the call route: the decision {@link #process} took on this failure. */
    public boolean retryWhile(Exchange exchange) {
        return exchange.getProperty(RETRY, false, Boolean.class);
    }

    @Override
    public void process(Exchange exchange) {
        Throwable failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status = status(failure);
        boolean retry;
        if (status == 401) {
            int unauthorized = count(exchange, UNAUTHORIZED);
            retry = auth.api2() && unauthorized == 1;
            if (retry) {
                auth.rejected(exchange.getMessage().getHeader("Authorization", String.class));
                exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, 0L); // a new token, at once
            }
        } else if (retryable(failure, status)) {
            retry = count(exchange, FAILURES) < maxAttempts;
            if (status == 429) {
                Run run = Run.of(exchange);
                metrics.rateLimited(run != null ? run.logType : "");
                wait(exchange, headers(failure));
            }
        } else {
            retry = false;
        }
        exchange.setProperty(RETRY, retry);
    }

    private static int count(Exchange exchange, String property) {
        int count = exchange.getProperty(property, 0, Integer.class) + 1;
        exchange.setProperty(property, count);
        return count;
    }

    /** The HTTP status of the answer the call failed on; 0 when it got none. */
    private static int status(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpOperationFailedException http) {
                return http.getStatusCode();
            }
        }
        return 0;
    }

    private static Map<String, String> headers(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpOperationFailedException http) {
                return http.getResponseHeaders();
            }
        }
        return Map.of();
    }

    private static boolean retryable(Throwable failure, int status) {
        if (status != 0) {
            return status == 429 || status >= 500;
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof MimecastFailure mimecast) {
                return mimecast instanceof MimecastFailure.Retryable;
            }
            if (cause instanceof com.fasterxml.jackson.core.JsonProcessingException) {
                return false; // an answer that is not JSON (or too deep) comes the same way again
            }
            if (cause instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    private void wait(Exchange exchange, Map<String, String> headers) {
        OptionalLong resetMillis = number(headers, "X-RateLimit-Reset");
        OptionalLong retryAfterSeconds = number(headers, "Retry-After");
        Duration wait;
        if (resetMillis.isPresent()) {
            wait = Duration.ofMillis(resetMillis.getAsLong());
        } else if (retryAfterSeconds.isPresent()) {
            wait = Duration.ofSeconds(retryAfterSeconds.getAsLong());
        } else {
            return;
        }
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, Math.min(wait.toMillis(), maxWait.toMillis()));
    }

    /** A header's number, whatever case the server wrote its name in. */
    private static OptionalLong number(Map<String, String> headers, String name) {
        if (headers == null) {
            return OptionalLong.empty();
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            String value = header.getValue() == null ? "" : header.getValue().trim();
            if (header.getKey().equalsIgnoreCase(name) && value.matches("\\d{1,12}")) {
                return OptionalLong.of(Long.parseLong(value));
            }
        }
        return OptionalLong.empty();
    }
}
