package com.mimecastsentinel.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.mimecastsentinel.run.Run;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints of the log types and the ids delivered with them: Camel's {@link IdempotentRepository} whose state
 * lives in the checkpoint documents (in Azure Blob, or files for the demo), so a position and the ids it covers
 * always move together, in one conditional write (ETag). The bean {@value #BEAN}:
 * <ul>
 * <li>the {@code mimecast} consumer loads a log type's checkpoint and its ids as a run begins ({@link #load});</li>
 * <li>the {@link DropDelivered} step of every log type's route adds each row's key ({@code add}, {@code contains},
 * {@code confirm}, {@code remove}: the {@link IdempotentRepository} contract), dropping the rows already there;</li>
 * <li>once the route completed a batch, the consumer commits ({@link #commit(Run)}): the checkpoint is written with
 * the ids added since. A commit that cannot be written fails the run (waiting up to CHECKPOINT_PATIENCE for a store
 * that is away).</li>
 * </ul>
 * A key is {@code <logType>:<id>:<event time, epoch seconds>}. Ids of a failed batch are removed, and ids added but
 * never committed are forgotten at the next load, so a batch that failed is sent again.
 */
public final class CheckpointRepository extends ServiceSupport implements IdempotentRepository {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointRepository.class);
    public static final String BEAN = "checkpoints";

    /** A log type's ids: delivered ones to their event time (epoch seconds). */
    private static final class Ids {
        final Map<String, Long> ids = new HashMap<>();
    }

    private final CheckpointStore store;
    private final Duration overlap;
    private final Clock clock;
    private final ObjectMapper json;
    private final Duration patience;
    private final String namespace;
    private final Map<String, String> etags = new ConcurrentHashMap<>();
    /** A digest of the state last written per log type (its time aside): an unchanged one is not written again. */
    private final Map<String, String> written = new ConcurrentHashMap<>();
    private final Map<String, Ids> byLogType = new ConcurrentHashMap<>();
    /** Told the log type of every commit that went through (readiness counts it as progress). */
    private volatile java.util.function.Consumer<String> onCommitted = logType -> { };

    /**
     * @param namespace a folder of the store for this instance's documents (a backfill's), "" for the live ones
     */
    public CheckpointRepository(CheckpointStore store, Duration overlap, Clock clock, ObjectMapper json,
            Duration patience, String namespace) {
        this.store = store;
        this.overlap = overlap;
        this.clock = clock;
        this.json = json.copy().enable(SerializationFeature.INDENT_OUTPUT);
        this.patience = patience;
        this.namespace = namespace;
    }

    public static String documentName(String logType) {
        return logType + ".json";
    }

    private String document(String logType) {
        return namespace + documentName(logType);
    }

    public CheckpointStore store() {
        return store;
    }

    /** Who is told of each commit that went through (written, or found unchanged). */
    public void onCommitted(java.util.function.Consumer<String> listener) {
        this.onCommitted = listener;
    }

    // ---- the consumer's commits ----

    /**
     * Writes the run's checkpoint with what was delivered since the last commit and, where the run keeps ids, the
     * ids within the overlap; fails without writing if another writer moved it.
     */
    public void commit(Run run) {
        boolean unchanged = run.checkpointUnchanged && run.deliveredSinceCommit.sum() == 0;
        run.checkpointUnchanged = false;
        if (unchanged) {
            onCommitted.accept(run.logType); // read on, nothing to move
            return;
        }
        Checkpoint checkpoint = run.checkpoint;
        synchronized (run) {
            checkpoint.deliveredTotal += run.deliveredSinceCommit.sumThenReset();
            if (run.newestSinceCommit != null && (checkpoint.newestEventTime == null
                    || run.newestSinceCommit.isAfter(checkpoint.newestEventTime))) {
                checkpoint.newestEventTime = run.newestSinceCommit;
            }
        }
        commit(checkpoint, run.persistIds);
    }

    /** Forgets the ids of a log type (a new SIEM file: its ids only serve to drop events repeated inside it). */
    public void forgetIds(String logType) {
        Ids ids = ids(logType);
        synchronized (ids) {
            ids.ids.clear();
        }
    }

    // ---- the documents ----

    /** Reads the stored checkpoint (or a fresh one) and resets the log type's ids to those it holds. */
    public Checkpoint load(String logType) {
        written.remove(logType); // what is stored now is what was read
        Checkpoint checkpoint = store.read(document(logType)).map(stored -> {
            etags.put(logType, stored.etag());
            return parse(logType, stored.content());
        }).orElseGet(() -> {
            etags.remove(logType);
            return Checkpoint.initial(logType);
        });
        Ids ids = new Ids();
        ids.ids.putAll(checkpoint.recentEventIds);
        byLogType.put(logType, ids);
        return checkpoint;
    }

    /** The live checkpoint of a log type as stored, whatever this instance's namespace; read only. */
    public java.util.Optional<Checkpoint> readLive(String logType) {
        return store.read(documentName(logType)).map(stored -> parse(logType, stored.content()));
    }

    /** Writes the checkpoint, with the ids delivered within the overlap when {@code withIds}. */
    public void commit(Checkpoint checkpoint, boolean withIds) {
        String logType = checkpoint.logType;
        // ids stay while a window may still reach them: from the overlap before the earlier of the completed
        // position and the newest delivered event (a re-read after clock skew starts at the latter)
        Instant horizon = checkpoint.completedUntil;
        if (horizon != null && checkpoint.newestEventTime != null && checkpoint.newestEventTime.isBefore(horizon)) {
            horizon = checkpoint.newestEventTime;
        }
        long limit = horizon == null ? Long.MIN_VALUE : horizon.minus(overlap).getEpochSecond();
        TreeMap<String, Long> kept = new TreeMap<>();
        if (withIds) {
            Ids ids = ids(logType);
            synchronized (ids) {
                ids.ids.values().removeIf(time -> time < limit);
                kept.putAll(ids.ids);
            }
        }
        checkpoint.recentEventIds = kept;
        checkpoint.version = Checkpoint.VERSION;
        // a commit that changes nothing but its time is not written: an Awareness Training run commits every page
        // of a dataset that mostly did not change, and its checkpoint holds every user's version
        Instant updatedAt = checkpoint.updatedAt;
        checkpoint.updatedAt = null;
        String state = java.util.HexFormat.of().formatHex(sha256(serialize(checkpoint)));
        if (etags.containsKey(logType) && state.equals(written.get(logType))) {
            checkpoint.updatedAt = updatedAt;
            onCommitted.accept(logType);
            return;
        }
        checkpoint.updatedAt = clock.instant();
        etags.put(logType, writeWithPatience(logType, serialize(checkpoint)));
        written.put(logType, state);
        onCommitted.accept(logType);
    }

    private byte[] serialize(Checkpoint checkpoint) {
        try {
            return json.writeValueAsBytes(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] sha256(byte[] content) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(content);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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

    /** The stored document of a checkpoint, parsed. */
    public Checkpoint parse(String logType, byte[] content) {
        try {
            Checkpoint checkpoint = json.readValue(content, Checkpoint.class);
            if (checkpoint.recentEventIds == null) {
                checkpoint.recentEventIds = new TreeMap<>();
            }
            checkpoint.logType = logType;
            return checkpoint;
        } catch (IOException e) {
            throw new IllegalStateException("checkpoint " + document(logType) + " in " + store.describe()
                    + " is not valid JSON: fix or delete it to start from START_DATE", e);
        }
    }

    private Ids ids(String logType) {
        return byLogType.computeIfAbsent(logType, t -> new Ids());
    }

    // ---- IdempotentRepository (the dropDelivered step): keys are <logType>:<id>:<event time, epoch seconds> ----

    /** The log type, the id and the event time of a key. */
    private static String[] split(String key) {
        int first = key.indexOf(':');
        int last = key.lastIndexOf(':');
        if (first <= 0 || last <= first + 1) {
            throw new IllegalArgumentException("a key of the checkpoint repository is <logType>:<id>:<event time>, "
                    + "not " + key);
        }
        return new String[] { key.substring(0, first), key.substring(first + 1, last), key.substring(last + 1) };
    }

    /** Adds the id, kept with its event time (until a window read again can no longer reach it); false if there. */
    @Override
    public boolean add(String key) {
        String[] parts = split(key);
        long eventSeconds;
        try {
            eventSeconds = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the event time of key " + key + " is not epoch seconds");
        }
        Ids ids = ids(parts[0]);
        synchronized (ids) {
            return ids.ids.putIfAbsent(parts[1], eventSeconds) == null;
        }
    }

    /** Whether any id of the log type is held: when none is, no key of it is {@link #contains contained}. */
    public boolean holdsIds(String logType) {
        Ids ids = byLogType.get(logType);
        if (ids == null) {
            return false;
        }
        synchronized (ids) {
            return !ids.ids.isEmpty();
        }
    }

    @Override
    public boolean contains(String key) {
        String[] parts = split(key);
        Ids ids = ids(parts[0]);
        synchronized (ids) {
            return ids.ids.containsKey(parts[1]);
        }
    }

    /** The batch failed: its ids are not delivered. */
    @Override
    public boolean remove(String key) {
        String[] parts = split(key);
        Ids ids = ids(parts[0]);
        synchronized (ids) {
            return ids.ids.remove(parts[1]) != null;
        }
    }

    /**
     * The batch was delivered: its ids stay, and the checkpoint commit that follows (the consumer's, once the route
     * completed the exchange) writes them with the position, in one write.
     */
    @Override
    public boolean confirm(String key) {
        return contains(key);
    }

    /** Forgets every id held in memory (the stored checkpoints keep theirs: the next load reads them). */
    @Override
    public void clear() {
        byLogType.clear();
    }

    @Override
    protected void doStart() {
        // stateless until a run loads its checkpoint
    }

    @Override
    protected void doStop() {
        clear(); // a restart loads each log type's ids with its checkpoint
    }
}
