package com.mimecastsentinel.source;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;

import com.mimecastsentinel.run.ConnectorMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * The retry decisions of one Mimecast call (one exchange: routes/mimecast-api.yaml gives every call an exchange of
 * its own, so what earlier calls of a run spent never counts). As the {@code onExceptionOccurred} step of the call
 * route's error handling it judges each failure, and {@link #retryWhile} tells Camel whether to try again:
 * <ul>
 * <li>429 (the API's flow control, not a failure): waits as long as the answer says ({@code X-RateLimit-Reset} in
 * milliseconds, or {@code Retry-After} in seconds or as a date; else 1 s, 2 s, 4 s …) and tries again, as long as
 * the call's waits on rate limits stay within MIMECAST_MAX_RATE_LIMIT_WAIT in all;</li>
 * <li>5xx, no answer in time, a broken connection, a failure Mimecast marks retryable: up to MIMECAST_MAX_ATTEMPTS
 * attempts of the call, 1 s, 2 s, 4 s … (at most 30 s, with jitter) apart;</li>
 * <li>401 with an OAuth token (it was revoked or expired early): that token is forgotten, and the call gets one
 * fresh token and one more try at once, whatever the other failures of the call;</li>
 * <li>anything else (a 4xx, an answer that is not what was asked for, a refused URL): no retry.</li>
 * </ul>
 * Every wait is set here, as Camel's {@code CamelRedeliveryDelay}: the next one never follows from the last. 429s
 * are counted in {@code mimecast_rate_limited_total}.
 */
public final class MimecastRetries implements Processor {
    /** Exchange properties of the call: its retryable failures and 401s so far, and the decision on the last one. */
    static final String FAILURES = "mimecastCallFailures";
    static final String RATE_LIMITED = "mimecastCallRateLimited";
    static final String WAITED = "mimecastCallRateLimitWaited";
    static final String UNAUTHORIZED = "mimecastCallUnauthorized";
    static final String RETRY = "mimecastCallRetry";

    private final int maxAttempts;
    private final Duration maxWait;
    private final ConnectorMetrics metrics;
    /** The account of a call that names none. */
    private final MimecastAccount account;

    public MimecastRetries(int maxAttempts, Duration maxWait, ConnectorMetrics metrics, MimecastAccount account) {
        this.maxAttempts = maxAttempts;
        this.maxWait = maxWait;
        this.metrics = metrics;
        this.account = account;
    }

    /** The {@code retryWhile} of the call route: the decision {@link #process} took on this failure. */
    public boolean retryWhile(Exchange exchange) {
        return exchange.getProperty(RETRY, false, Boolean.class);
    }

    @Override
    public void process(Exchange exchange) {
        exchange.setProperty(RETRY, false); // decided below; a failure here must not leave an earlier decision
        Throwable failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        HttpOperationFailedException answer = answer(failure);
        int status = answer != null ? answer.getStatusCode() : 0;
        boolean retry;
        long delay;
        if (status == 401) {
            int unauthorized = count(exchange, UNAUTHORIZED);
            MimecastAuth auth = MimecastAccount.of(exchange, account).auth();
            retry = auth.api2() && unauthorized == 1;
            if (retry) {
                auth.rejected(exchange.getMessage().getHeader("Authorization", String.class));
            }
            delay = 0; // a new token, at once
        } else if (status == 429) {
            // flow control, not a failure: waited out as asked, as long as the call's waits on rate limits stay
            // within MIMECAST_MAX_RATE_LIMIT_WAIT
            metrics.rateLimited(exchange.getVariable(MimecastCalls.LOG_TYPE, "", String.class));
            int limited = count(exchange, RATE_LIMITED);
            delay = asked(answer.getResponseHeaders()).orElse(backoff(limited));
            long waited = exchange.getProperty(WAITED, 0L, Long.class) + delay;
            exchange.setProperty(WAITED, waited);
            retry = waited <= maxWait.toMillis();
        } else if (retryable(failure, status)) {
            int failures = count(exchange, FAILURES);
            retry = failures < maxAttempts;
            delay = backoff(failures);
        } else {
            retry = false;
            delay = 0;
        }
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, delay);
        exchange.setProperty(RETRY, retry);
    }

    /** 1 s, 2 s, 4 s … at most 30 s, give or take 15 % (calls failing together do not come back together). */
    static long backoff(int failures) {
        long base = Math.min(30_000L, 1000L << Math.min(failures - 1, 15));
        return (long) (base * (0.85 + 0.3 * java.util.concurrent.ThreadLocalRandom.current().nextDouble()));
    }

    private static int count(Exchange exchange, String property) {
        int count = exchange.getProperty(property, 0, Integer.class) + 1;
        exchange.setProperty(property, count);
        return count;
    }

    /** The answer a call failed on (not 2xx): the failure or one of its causes; null when it got none. */
    static HttpOperationFailedException answer(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpOperationFailedException http) {
                return http;
            }
        }
        return null;
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

    /**
     * How long a 429 asks to wait: {@code X-RateLimit-Reset} (milliseconds), else {@code Retry-After} (seconds, or
     * an HTTP date), at most MIMECAST_MAX_RATE_LIMIT_WAIT.
     */
    private java.util.Optional<Long> asked(Map<String, String> headers) {
        if (headers == null) {
            return java.util.Optional.empty();
        }
        OptionalLong resetMillis = number(headers, "X-RateLimit-Reset");
        OptionalLong retryAfterSeconds = number(headers, "Retry-After");
        Duration wait;
        if (resetMillis.isPresent()) {
            wait = Duration.ofMillis(resetMillis.getAsLong());
        } else if (retryAfterSeconds.isPresent()) {
            wait = Duration.ofSeconds(retryAfterSeconds.getAsLong());
        } else {
            wait = date(headers, "Retry-After");
            if (wait == null) {
                return java.util.Optional.empty();
            }
        }
        return java.util.Optional.of(Math.min(Math.max(0, wait.toMillis()), maxWait.toMillis()));
    }

    /** A header holding an HTTP date, as the time from now until then; null when there is none. */
    private static Duration date(Map<String, String> headers, String name) {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase(name) && header.getValue() != null) {
                try {
                    java.time.ZonedDateTime at = java.time.ZonedDateTime.parse(header.getValue().trim(),
                            java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
                    return Duration.between(java.time.Instant.now(), at.toInstant());
                } catch (java.time.format.DateTimeParseException notADate) {
                    return null;
                }
            }
        }
        return null;
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
