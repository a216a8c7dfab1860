package com.mimecastsentinel.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class CachedTokenCredentialTest {
    private Instant now = Instant.parse("2026-11-23T12:00:00Z");
    private final AtomicInteger issued = new AtomicInteger();
    private final TokenCredential entra = request -> Mono.fromSupplier(() -> new AccessToken(
            "t" + issued.incrementAndGet(), OffsetDateTime.ofInstant(now.plus(Duration.ofHours(1)), ZoneOffset.UTC)));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void oneTokenPerLifetimeAndScope() {
        CachedTokenCredential cached = new CachedTokenCredential(entra, clock);
        TokenRequestContext monitor = new TokenRequestContext().addScopes("https://monitor.azure.com//.default");
        AccessToken first = cached.getToken(monitor).block();
        now = now.plus(Duration.ofMinutes(50));
        assertSame(first, cached.getToken(monitor).block(), "still 10 minutes left: the same token");
        assertSame(first, cached.getTokenSync(monitor));
        assertEquals(1, issued.get());

        cached.getToken(new TokenRequestContext().addScopes("https://management.azure.com/.default")).block();
        assertEquals(2, issued.get(), "another scope, another token");

        now = now.plus(Duration.ofMinutes(6));
        assertEquals("t3", cached.getTokenSync(monitor).getToken(), "within 5 minutes of expiry: a new one");
        assertEquals(3, issued.get());
        cached.getTokenSync(new TokenRequestContext().addScopes("https://monitor.azure.com//.default")
                .setClaims("{\"access_token\":{}}"));
        assertEquals(4, issued.get(), "a claims challenge always asks Entra");
    }
}
