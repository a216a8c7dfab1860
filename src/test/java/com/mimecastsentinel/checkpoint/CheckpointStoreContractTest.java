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
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.mimecastsentinel.support.Azurite;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The blob store (on Azurite) and the file store keep the same contract. */
@ExtendWith(Azurite.class)
class CheckpointStoreContractTest {
    @TempDir
    static Path directory;

    private static final DefaultCamelContext CAMEL = new DefaultCamelContext();

    /** The blob store as the connector makes it: camel-azure-storage-blob with a BlobServiceClient bean. */
    static Stream<CheckpointStore> stores() {
        String container = "contract-" + UUID.randomUUID().toString().substring(0, 8);
        var service = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient();
        service.getBlobContainerClient(container).createIfNotExists();
        CAMEL.getRegistry().bind("blobServiceClient", service);
        CAMEL.start();
        return Stream.of(new BlobDocuments(CAMEL.createProducerTemplate(), "azure-storage-blob://devstoreaccount1/"
                + container + "?serviceClient=#blobServiceClient", container, BlobDocuments.CHECKPOINTS),
                new FileCheckpointStore(directory.resolve(container)));
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
        Instant until = Instant.parse("2026-01-01T12:00:00Z");
        CheckpointRepository checkpoints = new CheckpointRepository(store, Duration.ofMinutes(15),
                Clock.fixed(until, ZoneOffset.UTC), json, Duration.ofSeconds(5), "");

        // an hour earlier, "old" was delivered and committed
        CheckpointRepository earlier = new CheckpointRepository(store, Duration.ofMinutes(15),
                Clock.fixed(until.minusSeconds(3600), ZoneOffset.UTC), json, Duration.ofSeconds(5), "");
        Checkpoint before = earlier.load("audit");
        assertEquals("audit", before.logType);
        String old = DropDelivered.key("audit", "old", until.minusSeconds(3600).toEpochMilli());
        assertTrue(earlier.add(old));
        earlier.commit(before, true);

        Checkpoint checkpoint = checkpoints.load("audit"); // holds "old"
        assertTrue(checkpoints.contains(old));
        String x = DropDelivered.key("audit", "x", until.toEpochMilli());
        assertTrue(checkpoints.add(x), "a new id");
        assertTrue(!checkpoints.add(x), "added once");
        checkpoint.completedUntil = until;
        checkpoint.deliveredTotal = 7;
        checkpoints.commit(checkpoint, true);

        Checkpoint again = checkpoints.load("audit");
        assertEquals(until, again.completedUntil);
        assertEquals(7, again.deliveredTotal);
        assertEquals(List.of("x"), List.copyOf(again.recentEventIds.keySet()), "old id pruned, new one kept");

        // a second instance commits first: ours must not overwrite it
        CheckpointRepository other = new CheckpointRepository(store, Duration.ofMinutes(15), Clock.systemUTC(), json,
                Duration.ofSeconds(5), "");
        Checkpoint theirs = other.load("audit");
        theirs.deliveredTotal = 8;
        other.commit(theirs, true);
        again.deliveredTotal = 9;
        assertThrows(CheckpointConflictException.class, () -> checkpoints.commit(again, true));
        assertEquals(8, checkpoints.load("audit").deliveredTotal);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aCommitThatChangesNothingIsNotWritten(CheckpointStore store) {
        ObjectMapper json = JsonMapper.builder().addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
        CheckpointRepository checkpoints = new CheckpointRepository(store, Duration.ofMinutes(15), Clock.systemUTC(),
                json, Duration.ofSeconds(5), "");
        Checkpoint checkpoint = checkpoints.load("awareness-watchlist");
        checkpoint.snapshot = new Checkpoint.Snapshot();
        checkpoint.snapshot.sent.put("user", "version-1");
        checkpoints.commit(checkpoint, false);
        String etag = store.read("awareness-watchlist.json").orElseThrow().etag();

        checkpoints.commit(checkpoint, false); // a page of unchanged users
        assertEquals(etag, store.read("awareness-watchlist.json").orElseThrow().etag(), "not written again");

        checkpoint.snapshot.sent.put("user", "version-2");
        checkpoints.commit(checkpoint, false);
        CheckpointStore.Stored stored = store.read("awareness-watchlist.json").orElseThrow();
        assertNotEquals(etag, stored.etag(), "a change is written");
        assertEquals("version-2", checkpoints.parse("awareness-watchlist", stored.content()).snapshot.sent.get("user"));
    }
}
