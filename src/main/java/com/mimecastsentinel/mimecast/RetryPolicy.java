package com.mimecastsentinel.mimecast;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounded retries: exponential backoff with full jitter for failures, and the server's own wait
 * ({@code X-RateLimit-Reset} in milliseconds, or {@code Retry-After} in seconds) for 429, capped by a setting.
 */
public final class RetryPolicy {

    /** Waits; replaced in unit tests so that they do not sleep. */
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final int maxAttempts;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final Duration maxRateLimitWait;
    private final Sleeper sleeper;

    public RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration maxRateLimitWait,
            Sleeper sleeper) {
        this.maxAttempts = maxAttempts;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.maxRateLimitWait = maxRateLimitWait;
        this.sleeper = sleeper;
    }

    public static RetryPolicy standard(int maxAttempts, Duration maxRateLimitWait) {
        return new RetryPolicy(maxAttempts, Duration.ofSeconds(1), Duration.ofSeconds(30), maxRateLimitWait,
                d -> Thread.sleep(d.toMillis()));
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** Backoff before attempt {@code attempt + 1}: random in [0, min(max, base * 2^(attempt-1))]. */
    public Duration backoff(int attempt) {
        long ceiling = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    }

    /** How long a 429 asks us to wait, capped; falls back to the backoff when the response says nothing. */
    public Duration rateLimitWait(HttpHeaders headers, int attempt) {
        OptionalLong resetMillis = number(headers, "X-RateLimit-Reset");
        OptionalLong retryAfterSeconds = number(headers, "Retry-After");
        Duration wait;
        if (resetMillis.isPresent()) {
            wait = Duration.ofMillis(resetMillis.getAsLong());
        } else if (retryAfterSeconds.isPresent()) {
            wait = Duration.ofSeconds(retryAfterSeconds.getAsLong());
        } else {
            wait = backoff(attempt);
        }
        return wait.compareTo(maxRateLimitWait) > 0 ? maxRateLimitWait : wait;
    }

    public void sleep(Duration duration) {
        try {
            sleeper.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MimecastException("interrupted while waiting to retry", e);
        }
    }

    private static OptionalLong number(HttpHeaders headers, String name) {
        return headers.firstValue(name).map(String::trim).filter(v -> v.matches("\\d{1,12}"))
                .map(v -> OptionalLong.of(Long.parseLong(v))).orElse(OptionalLong.empty());
    }
}
