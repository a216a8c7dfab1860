package com.mimecastsentinel.checkpoint;

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
 * log type. So each process also claims the blob {@code leases/instances/<lease id>} with a nonce of its own and a
 * heartbeat in its metadata, renewed every {@code period}, each write conditional on the blob being as last seen
 * (If-Match). Only the process whose claim stands uses the leases; another one with the same INSTANCE_ID stands by
 * and says why, and takes over once the heartbeat stops: when it did not move for two periods as this process sees
 * it, or is two periods old by this process's clock. A restart on the same host takes over at once: the claim
 * names its process (host, pid, start time), and that process no longer runs. A process whose heartbeat write finds
 * the blob changed lost its claim: it lets its leases go at once.
 */
final class InstanceClaim {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceClaim.class);
    static final String PREFIX = "leases/instances/";
    static final String HOLDER = "holder";
    static final String BEAT = "beat";
    static final String HOST = "host";
    static final String PID = "pid";
    static final String STARTED = "started";
    private static final ProcessHandle SELF = ProcessHandle.current();

    enum State { UNDECIDED, HELD, OTHER }

    private final BlobClient blob;
    private final Clock clock;
    private final long periodMillis;
    private final Runnable onLost;
    private final String nonce = UUID.randomUUID().toString();
    private volatile State state = State.UNDECIDED;
    private String etag;
    /** The other process's heartbeat as last seen, and when (this process's clock) it was first seen so. */
    private String seenBeat;
    private long seenAt;
    private boolean warned;
    private Thread beating;

    InstanceClaim(BlobClient blob, Duration period, Clock clock, Runnable onLost) {
        this.blob = blob;
        this.periodMillis = period.toMillis();
        this.clock = clock;
        this.onLost = onLost;
    }

    static String blobName(String leaseId) {
        return PREFIX + leaseId;
    }

    /**
     * Whether this process is the one that uses the INSTANCE_ID. The first call starts the heartbeat and waits until
     * that is decided: at once when the claim is free or stale, after at most two periods when another process's
     * heartbeat is fresh (to see whether it still moves).
     */
    boolean held() {
        synchronized (this) {
            if (beating == null) {
                beating = new Thread(this::beat, "instance-claim");
                beating.setDaemon(true);
                tick();
                beating.start();
            }
        }
        long deadline = System.nanoTime() + 3 * periodMillis * 1_000_000;
        while (state == State.UNDECIDED && System.nanoTime() < deadline) {
            try {
                Thread.sleep(Math.min(200, periodMillis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return state == State.HELD;
    }

    private void beat() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(state == State.UNDECIDED ? Math.min(500, periodMillis) : periodMillis);
                tick();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("INSTANCE_ID claim: {}", e.toString());
            }
        }
    }

    synchronized void tick() {
        if (state == State.HELD) {
            try {
                etag = write(nonce, etag);
                return;
            } catch (BlobStorageException e) {
                if (e.getStatusCode() != 412) {
                    throw e; // the store is away: the claim stays until it is back (the leases lapse meanwhile)
                }
                state = State.OTHER;
                LOG.error("another process took over this INSTANCE_ID; this one stops running its log types now "
                        + "(give every process an INSTANCE_ID of its own)");
                onLost.run();
            }
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
        boolean stopped = now - seenAt >= 2 * periodMillis || now - number(beat) >= 2 * periodMillis
                || endedOnThisHost(metadata);
        if (holder.isEmpty() || holder.equals(nonce) || stopped) {
            try {
                etag = write(nonce, properties.getETag());
                if (!holder.isEmpty() && !holder.equals(nonce)) {
                    LOG.info("took over this INSTANCE_ID from a process that stopped (its heartbeat did)");
                }
                state = State.HELD;
                warned = false;
                return;
            } catch (BlobStorageException e) {
                if (e.getStatusCode() != 412) {
                    throw e;
                }
                // another process wrote first: judged on the next tick
            }
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

    private String write(String holder, String ifMatch) {
        Map<String, String> metadata = Map.of(HOLDER, holder, BEAT, String.valueOf(clock.millis()), HOST, host(),
                PID, String.valueOf(SELF.pid()), STARTED, String.valueOf(started(SELF)));
        return blob.setMetadataWithResponse(metadata, new BlobRequestConditions().setIfMatch(ifMatch), null,
                Context.NONE).getHeaders().getValue(com.azure.core.http.HttpHeaderName.ETAG);
    }

    /** The claim's process ran on this host and runs no more (a restart after a crash, in a container or not). */
    private static boolean endedOnThisHost(Map<String, String> metadata) {
        long started = number(metadata.getOrDefault(STARTED, "0"));
        if (!host().equals(metadata.get(HOST)) || started == 0) {
            return false;
        }
        return ProcessHandle.of(number(metadata.getOrDefault(PID, "0")))
                .map(process -> Math.abs(started(process) - started) > 1000).orElse(true);
    }

    private static long started(ProcessHandle process) {
        return process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "";
        }
    }

    /** Gives the claim up (shutdown): a restart, or another process with this INSTANCE_ID, need not wait. */
    synchronized void release() {
        if (beating != null) {
            beating.interrupt();
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

    private static long number(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
