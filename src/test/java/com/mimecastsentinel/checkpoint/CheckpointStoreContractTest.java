package com.mimecastsentinel.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.mimecastsentinel.support.Azurite;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The blob store (on Azurite) and the file store keep the same contract. */
@ExtendWith(Azurite.class)
class CheckpointStoreContractTest {
    @TempDir
    static Path directory;

    static Stream<CheckpointStore> stores() {
        String container = "contract-" + UUID.randomUUID().toString().substring(0, 8);
        return Stream.of(new BlobCheckpointStore(new BlobServiceClientBuilder()
                .connectionString(Azurite.connectionString()).buildClient().getBlobContainerClient(container),
                Duration.ofSeconds(30)).ensureContainer(), new FileCheckpointStore(directory.resolve(container)));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void writesAreConditionalOnTheVersionRead(CheckpointStore store) {
        assertTrue(store.read("audit.json").isEmpty());
        String first = store.write("audit.json", bytes("{\"n\":1}"), null);
        assertThrows(CheckpointConflictException.class, () -> store.write("audit.json", bytes("{\"n\":0}"), null),
                "create-only must not overwrite");

        CheckpointStore.Stored stored = store.read("audit.json").orElseThrow();
        assertArrayEquals(bytes("{\"n\":1}"), stored.content());
        assertEquals(first, stored.etag());

        String second = store.write("audit.json", bytes("{\"n\":2}"), first);
        assertNotEquals(first, second);
        assertThrows(CheckpointConflictException.class, () -> store.write("audit.json", bytes("{\"n\":3}"), first),
                "a stale version loses the race");
        assertArrayEquals(bytes("{\"n\":2}"), store.read("audit.json").orElseThrow().content());
    }

    @ParameterizedTest
    @MethodSource("stores")
    void checkpointsRoundTripPositionAndDeliveredIdsTogether(CheckpointStore store) {
        ObjectMapper json = JsonMapper.builder().addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
        DedupeRepository dedupe = new DedupeRepository();
        Checkpoints checkpoints = new Checkpoints(store, dedupe, Duration.ofMinutes(15), Clock.systemUTC(), json);

        Checkpoint checkpoint = checkpoints.load("audit");
        assertEquals("audit", checkpoint.logType);
        Instant until = Instant.parse("2026-01-01T12:00:00Z");
        dedupe.reset("audit", Map.of("old", until.minusSeconds(3600).getEpochSecond()));
        dedupe.delivered("audit", List.of("x"));
        checkpoint.completedUntil = until;
        checkpoint.deliveredTotal = 7;
        checkpoints.commit(checkpoint);

        Checkpoint again = checkpoints.load("audit");
        assertEquals(until, again.completedUntil);
        assertEquals(7, again.deliveredTotal);
        assertEquals(List.of("x"), List.copyOf(again.recentEventIds.keySet()), "old id pruned, new one kept");

        // a second instance commits first: ours must not overwrite it
        Checkpoints other = new Checkpoints(store, new DedupeRepository(), Duration.ofMinutes(15),
                Clock.systemUTC(), json);
        Checkpoint theirs = other.load("audit");
        theirs.deliveredTotal = 8;
        other.commit(theirs);
        again.deliveredTotal = 9;
        assertThrows(CheckpointConflictException.class, () -> checkpoints.commit(again));
        assertEquals(8, checkpoints.load("audit").deliveredTotal);
    }
}
