package com.mimecastsentinel.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class DedupeRepositoryTest {
    private static final long T = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();
    private final DedupeRepository repository = new DedupeRepository();

    @Test
    void pendingIdsAreDuplicatesWithinARunButForgottenByTheNextUnlessDelivered() {
        repository.reset("audit", Map.of());
        assertTrue(repository.add("audit", "a", T));
        assertTrue(repository.add("audit", "b", T));
        assertFalse(repository.add("audit", "a", T), "a duplicate inside the same page");
        assertFalse(repository.add("audit", "b", T), "pending ids count too");

        repository.delivered("audit", List.of("a"));
        Map<String, Long> persisted = repository.deliveredSince("audit", null);
        assertEquals(Map.of("a", T), persisted, "only delivered ids are persisted, with their event time");

        // the next run starts from what the checkpoint holds: b was never delivered, so it is new again
        repository.reset("audit", persisted);
        assertFalse(repository.add("audit", "a", T));
        assertTrue(repository.add("audit", "b", T));
    }

    @Test
    void logTypesAreSeparate() {
        repository.reset("audit", Map.of());
        repository.reset("dlp", Map.of());
        assertTrue(repository.add("audit", "same", T));
        assertTrue(repository.add("dlp", "same", T));
    }

    @Test
    void anIdKnownToBeDeliveredIsADuplicateFromThenOn() {
        repository.reset("siem", null);
        repository.delivered("siem", "x", T);
        assertFalse(repository.add("siem", "x", T));
        assertEquals(Map.of("x", T), repository.deliveredSince("siem", null));
    }

    @Test
    void idsOlderThanTheCutoffArePruned() {
        Instant cutoff = Instant.ofEpochSecond(T);
        repository.reset("audit", Map.of("old", T - 1, "edge", T, "new", T + 60));
        assertEquals(List.of("edge", "new"), List.copyOf(repository.deliveredSince("audit", cutoff).keySet()));
    }
}
