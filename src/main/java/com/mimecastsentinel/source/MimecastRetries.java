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
 * Which failed Mimecast calls are tried again ({@link #retryable}, the {@code onWhen} of the Mimecast routes' retry):
 * 429, 5xx, no answer in time, a broken connection, a failure Mimecast marks retryable. And, as their
 * {@code onExceptionOccurred} step, how long a 429 waits: as long as the answer says ({@code X-RateLimit-Reset} in
 * milliseconds, or {@code Retry-After} in seconds), at most MIMECAST_MAX_RATE_LIMIT_WAIT, by setting Camel's
 * {@code CamelRedeliveryDelay}; without either header (and for the other failures) the route's backoff applies.
 * 429s are counted in {@code mimecast_rate_limited_total}.
 */
public final class MimecastRetries implements Processor {
    private final Duration max;
    private final ConnectorMetrics metrics;

    public MimecastRetries(Duration max, ConnectorMetrics metrics) {
        this.max = max;
        this.metrics = metrics;
    }

    /** Whether the call was refused as unauthorized (401): an OAuth token that expired before its time. */
    public boolean unauthorized(Exchange exchange) {
        for (Throwable cause = failure(exchange); cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpOperationFailedException http) {
                return http.getStatusCode() == 401;
            }
        }
        return false;
    }

    /** Whether the failure of this call is one to try again. */
    public boolean retryable(Exchange exchange) {
        Throwable failure = failure(exchange);
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpOperationFailedException http) {
                return http.getStatusCode() == 429 || http.getStatusCode() >= 500;
            }
            if (cause instanceof java.io.IOException || cause instanceof MimecastFailure.Retryable) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void process(Exchange exchange) {
        for (Throwable cause = failure(exchange); cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpOperationFailedException http && http.getStatusCode() == 429) {
                Run run = Run.of(exchange);
                metrics.rateLimited(run != null ? run.logType : "");
                wait(exchange, http.getResponseHeaders());
                return;
            }
        }
    }

    private static Throwable failure(Exchange exchange) {
        return exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
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
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, Math.min(wait.toMillis(), max.toMillis()));
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
