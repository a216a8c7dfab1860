package com.mimecastsentinel.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import com.mimecastsentinel.run.ConnectorMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** The retry decisions of one call, failure after failure on the same exchange (as Camel's error handler runs them). */
class MimecastRetriesTest {
    private final MimecastRetries retries = new MimecastRetries(3, Duration.ofSeconds(10),
            new ConnectorMetrics(Clock.systemUTC()), new MimecastAccount("https://api.services.mimecast.com",
                    MimecastAuth.oauth(new OAuthToken(null, "https://api.services.mimecast.com", "id", "secret",
                            Clock.systemUTC()))));
    private final Exchange call = new DefaultExchange(new DefaultCamelContext());

    private boolean fails(Throwable failure) {
        call.setException(failure instanceof Exception e ? e : new IllegalStateException(failure));
        retries.process(call);
        return retries.retryWhile(call);
    }

    private long delay() {
        return call.getMessage().getHeader(Exchange.REDELIVERY_DELAY, Long.class);
    }

    private static HttpOperationFailedException http(int status, Map<String, String> headers) {
        return new HttpOperationFailedException("https://api.example.com/api/x", status, "", null, headers, "");
    }

    @Test
    void serverErrorsSpendTheCallsAttemptsWithGrowingWaits() {
        assertTrue(fails(http(503, Map.of())));
        long first = delay();
        assertTrue(first >= 850 && first <= 1150, "1 s, give or take: " + first);
        assertTrue(fails(new IOException("connection reset")));
        assertTrue(delay() >= 1700 && delay() <= 2300, "then 2 s: " + delay());
        assertFalse(fails(http(500, Map.of())), "the third of 3 attempts failed: no more");
    }

    @Test
    void rateLimitsAreWaitedOutAsAskedWithinTheirOwnBoundNotTheAttempts() {
        for (int i = 0; i < 5; i++) {
            assertTrue(fails(http(429, Map.of("x-ratelimit-reset", "1500"))), "429 " + i);
            assertEquals(1500, delay(), "as X-RateLimit-Reset says, whatever its case");
        }
        assertTrue(fails(http(500, Map.of())), "a server error still has its attempts");
        assertTrue(fails(http(429, Map.of("Retry-After", "2"))));
        assertEquals(2000, delay(), "Retry-After in seconds");
        assertFalse(fails(http(429, Map.of("Retry-After", "3"))), "7.5 + 2 + 3 s: past the 10 s the call may wait");
    }

    @Test
    void aRevokedTokenGetsOneFreshTokenAndOneMoreTryBesidesTheOtherAttempts() {
        assertTrue(fails(http(429, Map.of("X-RateLimit-Reset", "100"))));
        assertTrue(fails(http(401, Map.of())), "a 401 after a 429: a new token");
        assertEquals(0, delay(), "at once");
        assertTrue(fails(http(502, Map.of())));
        assertTrue(fails(http(502, Map.of())));
        assertFalse(fails(http(401, Map.of())), "a second 401 on the same call: the credentials, not the token");
    }

    @Test
    void whatComesTheSameWayAgainIsNotTried() {
        assertFalse(fails(http(400, Map.of())));
        assertFalse(fails(new MimecastFailure("not the answer asked for", 200)));
        assertFalse(fails(new FileUrls.Refused("no")));
        assertTrue(fails(new MimecastFailure.Retryable("retry me", 200, java.util.List.of("err_x"))));
    }

    @Test
    void aRetryAfterDateIsATimeFromNow() {
        String inFiveSeconds = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(5));
        assertTrue(fails(http(429, Map.of("Retry-After", inFiveSeconds))));
        assertTrue(delay() > 3000 && delay() <= 5000, "about 5 s: " + delay());
    }
}
