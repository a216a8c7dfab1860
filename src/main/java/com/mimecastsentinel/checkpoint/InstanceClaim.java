package com.mimecastsentinel.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which live process uses this INSTANCE_ID. The Blob leases of an instance carry a lease id made from its
 * INSTANCE_ID, so that a restarted instance takes them back at once; but Azure grants a lease again to anyone who
 * asks with the same id, so two live processes given one INSTANCE_ID would both hold every lease and both run every
 * log type. So each process also claims a blob of its own namespace, {@code leases/instances/<namespace><lease id>},
 * with a nonce of its own and a heartbeat in its metadata, renewed every {@code period}, each write conditional on
 * the blob being as last seen (If-Match).
 *
 * <ul>
 * <li>Only the process whose claim stands uses the leases. Another one with the same INSTANCE_ID stands by and says
 * why; it takes over once the heartbeat stops: when it did not move for two periods as this process sees it, or is
 * two periods old by this process's clock.</li>
 * <li>A restart takes over at once where it can tell that the claim's process ended: the claim names its process
 * (boot, PID namespace, pid and start time), and on the same boot and in the same PID namespace that process no
 * longer runs.</li>
 * <li>A holder whose heartbeat cannot be written for a period and a half (the store away, the blob gone) stops using
 * the leases before anyone could take over; one whose write finds the blob claimed by another lets them go at
 * once.</li>
 * </ul>
 */
final class InstanceClaim {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceClaim.class);
    static final String PREFIX = "leases/instances/";
    static final String HOLDER = "holder";
    static final String BEAT = "beat";
    static final String PROCESS = "process";
    private static final ProcessHandle SELF = ProcessHandle.current();
    /** This process among all: boot, PID namespace, pid, start time (only what Linux tells; empty elsewhere). */
    private static final String PROCESS_ID = processId(SELF);

    enum State { UNDECIDED, HELD, OTHER }

    private final BlobClient blob;
    private final Clock clock;
    private final long periodMillis;
    private final Runnable onLost;
    private final String nonce = UUID.randomUUID().toString();
    private volatile State state = State.UNDECIDED;
    /** When (System.nanoTime) this process last wrote its heartbeat. */
    private volatile long lastBeat;
    private volatile String lastError = "";
    private String etag;
    /** The other process's heartbeat as last seen, and when (this process's clock) it was first seen so. */
    private String seenBeat;
    private long seenAt;
    private boolean warned;
    private boolean released;
    private Thread beating;

    InstanceClaim(BlobClient blob, Duration period, Clock clock, Runnable onLost) {
        this.blob = blob;
        this.periodMillis = period.toMillis();
        this.clock = clock;
        this.onLost = onLost;
    }

    /** The claim's blob for a lease id in a checkpoint namespace (a backfill's claim is not the live one's). */
    static String blobName(String namespace, String leaseId) {
        return PREFIX + namespace.replace('/', '-') + leaseId;
    }

    /**
     * Whether this process is the one that uses the INSTANCE_ID. The first call starts the heartbeat and waits until
     * that is decided: at once when the claim is free, stale or its process ended, after at most two periods when
     * another process's heartbeat is fresh (to see whether it still moves). Fails when it cannot be decided (the
     * store cannot be reached): a run then fails rather than standing by for nothing.
     */
    boolean held() {
        synchronized (this) {
            released = false;
            if (beating == null || !beating.isAlive()) {
                beating = new Thread(this::beat, "instance-claim");
                beating.setDaemon(true);
                beating.start();
            }
        }
        long deadline = System.nanoTime() + 3 * periodMillis * 1_000_000;
        while (state == State.UNDECIDED && System.nanoTime() < deadline) {
            try {
                Thread.sleep(Math.min(100, periodMillis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (state == State.UNDECIDED) {
            throw new IllegalStateException("cannot tell whether another process uses this INSTANCE_ID: " + lastError);
        }
        return holding();
    }

    /** Whether this process holds the claim now, its heartbeat written within a period and a half. */
    boolean holding() {
        return state == State.HELD && System.nanoTime() - lastBeat < periodMillis * 1_500_000L;
    }

    private void beat() {
        boolean first = true;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                if (!first) {
                    Thread.sleep(state == State.UNDECIDED ? Math.min(500, periodMillis) : periodMillis);
                }
                first = false;
                tick();
                lastError = "";
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                lastError = e.toString();
                LOG.warn("INSTANCE_ID claim: {}", lastError);
                if (state == State.HELD && !holding()) {
                    LOG.error("cannot renew this process's INSTANCE_ID claim: it stops running its log types until "
                            + "it can (another process with the same INSTANCE_ID could take over meanwhile)");
                    state = State.UNDECIDED;
                    onLost.run();
                }
            }
        }
    }

    synchronized void tick() {
        if (released) {
            return;
        }
        if (state == State.HELD && beatOwn()) {
            return;
        }
        BlobLeases.createIfMissing(blob);
        BlobProperties properties = blob.getProperties();
        Map<String, String> metadata = properties.getMetadata() == null ? Map.of() : properties.getMetadata();
        String holder = metadata.getOrDefault(HOLDER, "");
        String beat = metadata.getOrDefault(BEAT, "0");
        long now = clock.millis();
        boolean moved = seenBeat != null && !beat.equals(seenBeat);
        if (!beat.equals(seenBeat)) {
            seenBeat = beat;
            seenAt = now;
        }
        boolean ended = now - seenAt >= 2 * periodMillis || now - number(beat) >= 2 * periodMillis
                || endedHere(metadata.getOrDefault(PROCESS, ""));
        if (holder.isEmpty() || holder.equals(nonce) || ended) {
            if (claim(properties.getETag())) {
                if (!holder.isEmpty() && !holder.equals(nonce)) {
                    LOG.info("took over this INSTANCE_ID from a process that stopped (its heartbeat did)");
                }
                return;
            }
            // another process wrote first: judged on the next tick
        }
        if (moved || state == State.OTHER) {
            state = State.OTHER; // its heartbeat moved while this process watched: it lives
            if (!warned) {
                warned = true;
                LOG.warn("another live process uses this INSTANCE_ID; standing by until it stops (give every "
                        + "process an INSTANCE_ID of its own)");
            }
        }
    }

    /** The heartbeat of a held claim; false when the blob was claimed by another or is gone (then judged anew). */
    private boolean beatOwn() {
        try {
            etag = write(nonce, etag);
            lastBeat = System.nanoTime();
            return true;
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                state = State.UNDECIDED; // the blob was deleted: claimed again below
                return false;
            }
            if (e.getStatusCode() != 412) {
                throw e; // the store is away: holding() says how long this process may go on
            }
        }
        BlobProperties properties = blob.getProperties();
        if (nonce.equals(properties.getMetadata() == null ? null : properties.getMetadata().get(HOLDER))) {
            etag = properties.getETag(); // a retried write that had gone through: still ours
            return beatOwn();
        }
        state = State.OTHER;
        LOG.error("another process took over this INSTANCE_ID; this one stops running its log types now (give every "
                + "process an INSTANCE_ID of its own)");
        onLost.run();
        return false;
    }

    private boolean claim(String ifMatch) {
        try {
            etag = write(nonce, ifMatch);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() != 412) {
                throw e;
            }
            return false;
        }
        lastBeat = System.nanoTime();
        state = State.HELD;
        warned = false;
        return true;
    }

    private String write(String holder, String ifMatch) {
        Map<String, String> metadata = Map.of(HOLDER, holder, BEAT, String.valueOf(clock.millis()), PROCESS,
                PROCESS_ID);
        return blob.setMetadataWithResponse(metadata, new BlobRequestConditions().setIfMatch(ifMatch), null,
                Context.NONE).getHeaders().getValue(com.azure.core.http.HttpHeaderName.ETAG);
    }

    /** Gives the claim up (shutdown): a restart, or another process with this INSTANCE_ID, need not wait. */
    synchronized void release() {
        released = true;
        if (beating != null) {
            beating.interrupt();
            beating = null;
        }
        if (state == State.HELD) {
            try {
                write("", etag);
            } catch (RuntimeException e) {
                LOG.debug("releasing the INSTANCE_ID claim: {}", e.toString());
            }
        }
        state = State.UNDECIDED;
    }

    /**
     * The claim's process ran on this boot, in this PID namespace, and runs no more (a restart after a crash). Where
     * that cannot be told (another host or container, not Linux) it is not assumed.
     */
    static boolean endedHere(String claimed) {
        String[] parts = claimed.split("\\|");
        String[] self = PROCESS_ID.split("\\|");
        if (parts.length != 4 || self.length != 4 || parts[0].isEmpty() || !parts[0].equals(self[0])
                || !parts[1].equals(self[1])) {
            return false;
        }
        long started = number(parts[3]);
        return ProcessHandle.of(number(parts[2])).map(process -> !String.valueOf(started(process)).equals(parts[3])
                && started != 0).orElse(true);
    }

    private static String processId(ProcessHandle process) {
        String boot = read("/proc/sys/kernel/random/boot_id");
        String namespace;
        try {
            namespace = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        } catch (Exception e) {
            namespace = "";
        }
        return boot.isEmpty() || namespace.isEmpty() ? ""
                : boot + "|" + namespace + "|" + process.pid() + "|" + started(process);
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (Exception e) {
            return "";
        }
    }

    private static long started(ProcessHandle process) {
        return process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    private static long number(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
