package com.mimecastsentinel.checkpoint;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.azure.storage.blob.specialized.BlobLeaseClient;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases on empty blobs {@code leases/<logType>} in the checkpoint container. The lease id is this instance's
 * (from INSTANCE_ID, else host and working directory), so a restarted instance takes its own lease back at once,
 * while another instance waits until it lapses. Only the process whose {@link InstanceClaim} stands uses them: a
 * second live process given the same INSTANCE_ID stands by.
 */
public final class BlobLeases implements Leases {
    private static final Logger LOG = LoggerFactory.getLogger(BlobLeases.class);
    public static final String PREFIX = "leases/";

    private final BlobContainerClient container;
    private final String leaseId;
    private final int seconds;
    private final InstanceClaim claim;
    private final Map<String, BlobLeaseClient> held = new ConcurrentHashMap<>();

    /** @param namespace the checkpoint namespace (a backfill's), whose INSTANCE_ID claim is its own */
    public BlobLeases(BlobContainerClient container, String leaseId, Duration duration, String namespace) {
        this.container = container;
        this.leaseId = leaseId;
        this.seconds = (int) duration.getSeconds();
        // the heartbeat of the INSTANCE_ID claim: six a lease, so a process that stopped is taken over from within a
        // third of one
        this.claim = new InstanceClaim(container.getBlobClient(InstanceClaim.blobName(namespace, leaseId)),
                duration.dividedBy(6), Clock.systemUTC(), held::clear);
    }

    @Override
    public synchronized boolean tryHold(String logType) {
        if (!claim.held()) {
            held.clear();
            return false; // another live process uses this INSTANCE_ID (it says so in the log)
        }
        BlobLeaseClient lease = claim.holding() ? held.get(logType) : null;
        if (lease != null) {
            try {
                lease.renewLease();
                return true;
            } catch (BlobStorageException e) {
                held.remove(logType);
                LOG.warn("{}: lost the lease ({}); another instance may have taken over", logType, e.getErrorCode());
            }
        }
        BlobClient blob = container.getBlobClient(PREFIX + logType);
        createIfMissing(blob);
        lease = new BlobLeaseClientBuilder().blobClient(blob).leaseId(leaseId).buildClient();
        try {
            lease.acquireLease(seconds);
            held.put(logType, lease);
            if (!claim.holding()) {
                held.remove(logType); // the claim was lost meanwhile
                return false;
            }
            LOG.info("{}: this instance holds the lease", logType);
            return true;
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 409) {
                return false; // held by another instance
            }
            throw e;
        }
    }

    @Override
    public boolean holds(String logType) {
        return held.containsKey(logType) && claim.holding();
    }

    @Override
    public synchronized void releaseAll() {
        held.forEach((logType, lease) -> {
            try {
                lease.releaseLease();
            } catch (RuntimeException e) {
                LOG.debug("{}: releasing the lease: {}", logType, e.toString());
            }
        });
        held.clear();
        claim.release();
    }

    /** Creates the empty blob a lease or claim needs, if it is not there yet. */
    static void createIfMissing(BlobClient blob) {
        try {
            blob.uploadWithResponse(new BlobParallelUploadOptions(BinaryData.fromBytes(new byte[0]))
                    .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")), null, Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() != 409 && e.getStatusCode() != 412) {
                throw e;
            }
        }
    }

    @Override
    public String describe() {
        return "blob leases of " + seconds + " s";
    }
}
