package com.mimecastsentinel.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Loads and commits the checkpoint of each log type. A commit writes the new position together with the ids
 * delivered inside the overlap window, conditional on the version read, in one write.
 */
public final class Checkpoints {
    private final CheckpointStore store;
    private final DedupeRepository dedupe;
    private final Duration overlap;
    private final Clock clock;
    private final ObjectMapper json;
    private final Map<String, String> etags = new ConcurrentHashMap<>();
    private final Duration patience;
    private volatile String namespace = "";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Checkpoints.class);

    public Checkpoints(CheckpointStore store, DedupeRepository dedupe, Duration overlap, Clock clock,
            ObjectMapper json) {
        this(store, dedupe, overlap, clock, json, Duration.ofMinutes(2));
    }

    public Checkpoints(CheckpointStore store, DedupeRepository dedupe, Duration overlap, Clock clock,
            ObjectMapper json, Duration patience) {
        this.patience = patience;
        this.store = store;
        this.dedupe = dedupe;
        this.overlap = overlap;
        this.clock = clock;
        this.json = json.copy().enable(SerializationFeature.INDENT_OUTPUT);
    }

    public static String documentName(String logType) {
        return logType + ".json";
    }

    /** Keeps this instance's documents under {@code prefix} (a backfill's own folder); "" for the live ones. */
    public Checkpoints inNamespace(String prefix) {
        this.namespace = prefix;
        return this;
    }

    private String document(String logType) {
        return namespace + documentName(logType);
    }

    /** The live checkpoint of a log type as stored, whatever this instance's namespace; read only. */
    public java.util.Optional<Checkpoint> readLive(String logType) {
        return store.read(documentName(logType)).map(stored -> parse(logType, stored.content()));
    }

    /** Reads the stored checkpoint (or a fresh one) and resets the log type's dedupe state to it. */
    public Checkpoint load(String logType) {
        Checkpoint checkpoint = store.read(document(logType)).map(stored -> {
            etags.put(logType, stored.etag());
            return parse(logType, stored.content());
        }).orElseGet(() -> {
            etags.remove(logType);
            return Checkpoint.initial(logType);
        });
        dedupe.reset(logType, checkpoint.recentEventIds);
        return checkpoint;
    }

    /** Writes {@code checkpoint} with the delivered ids; fails without writing if another writer moved it. */
    public void commit(Checkpoint checkpoint) {
        commit(checkpoint, true);
    }

    /**
     * As {@link #commit(Checkpoint)}; without ids for a position that alone says what was delivered (a line of a
     * file), so a commit stays small however far into a big file it is.
     */
    public void commit(Checkpoint checkpoint, boolean withIds) {
        String logType = checkpoint.logType;
        // ids stay while a window may still reach them: from the overlap before the earlier of the completed
        // position and the newest delivered event (a re-read after clock skew starts at the latter)
        Instant horizon = checkpoint.completedUntil;
        if (horizon != null && checkpoint.newestEventTime != null && checkpoint.newestEventTime.isBefore(horizon)) {
            horizon = checkpoint.newestEventTime;
        }
        Instant cutoff = horizon == null ? null : horizon.minus(overlap);
        checkpoint.recentEventIds = withIds ? dedupe.deliveredSince(logType, cutoff) : new java.util.TreeMap<>();
        checkpoint.updatedAt = clock.instant();
        checkpoint.version = Checkpoint.VERSION;
        byte[] content;
        try {
            content = json.writeValueAsBytes(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        etags.put(logType, writeWithPatience(logType, content));
    }

    /**
     * The batch before this commit is already delivered: giving up now would send it again next run. So a store
     * that is unavailable is waited for (up to the patience), with backoff; a conflict is final at once.
     */
    private String writeWithPatience(String logType, byte[] content) {
        long deadline = System.nanoTime() + patience.toNanos();
        long delay = 500;
        while (true) {
            try {
                return store.write(document(logType), content, etags.get(logType));
            } catch (CheckpointConflictException e) {
                throw e;
            } catch (RuntimeException e) {
                if (System.nanoTime() + delay * 1_000_000 > deadline) {
                    throw new IllegalStateException("checkpoint store unavailable for " + patience.toSeconds()
                            + " s; the batch before this commit will be sent again: " + e.getMessage(), e);
                }
                LOG.warn("{}: checkpoint write failed ({}); retrying in {} ms", logType, e.toString(), delay);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while committing the checkpoint", interrupted);
                }
                delay = Math.min(delay * 2, 15_000);
            }
        }
    }

    private Checkpoint parse(String logType, byte[] content) {
        try {
            Checkpoint checkpoint = json.readValue(content, Checkpoint.class);
            if (checkpoint.recentEventIds == null) {
                checkpoint.recentEventIds = new java.util.TreeMap<>();
            }
            checkpoint.logType = logType;
            return checkpoint;
        } catch (IOException e) {
            throw new IllegalStateException("checkpoint " + document(logType) + " in " + store.describe()
                    + " is not valid JSON: fix or delete it to start from START_DATE", e);
        }
    }
}
