package com.mimecastsentinel.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class DedupeRepositoryTest {
    private final CamelContext camel = new DefaultCamelContext();
    private final DedupeRepository repository = new DedupeRepository();

    private Exchange event(String logType, Instant time) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(DedupeRepository.LOG_TYPE, logType);
        exchange.getMessage().setHeader(DedupeRepository.EVENT_TIME_HEADER, time.toEpochMilli());
        return exchange;
    }

    @Test
    void pendingIdsAreDuplicatesWithinARunButForgottenByTheNextUnlessDelivered() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        repository.reset("audit", Map.of());
        assertTrue(repository.add(event("audit", t), "a"));
        assertTrue(repository.add(event("audit", t), "b"));
        assertFalse(repository.add(event("audit", t), "a"), "a duplicate inside the same page");
        assertTrue(repository.contains(event("audit", t), "b"));

        repository.delivered("audit", List.of("a"));
        Map<String, Long> persisted = repository.deliveredSince("audit", null);
        assertEquals(Map.of("a", t.getEpochSecond()), persisted, "only delivered ids are persisted");

        // the next run starts from what the checkpoint holds: b was never delivered, so it is new again
        repository.reset("audit", persisted);
        assertFalse(repository.add(event("audit", t), "a"));
        assertTrue(repository.add(event("audit", t), "b"));
    }

    @Test
    void logTypesAreSeparate() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        repository.reset("audit", Map.of());
        repository.reset("dlp", Map.of());
        assertTrue(repository.add(event("audit", t), "same"));
        assertTrue(repository.add(event("dlp", t), "same"));
    }

    @Test
    void removeOnFailureForgetsAPendingId() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        repository.reset("audit", Map.of());
        repository.add(event("audit", t), "a");
        assertTrue(repository.remove(event("audit", t), "a"));
        assertTrue(repository.add(event("audit", t), "a"));
    }

    @Test
    void idsOlderThanTheCutoffArePruned() {
        Instant cutoff = Instant.parse("2026-01-01T00:00:00Z");
        repository.reset("audit", Map.of("old", cutoff.getEpochSecond() - 1, "edge", cutoff.getEpochSecond(),
                "new", cutoff.getEpochSecond() + 60));
        assertEquals(List.of("edge", "new"), List.copyOf(repository.deliveredSince("audit", cutoff).keySet()));
    }
}
