package com.mimecastsentinel.checkpoint;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the leases of the enabled log types: renews the held ones every third of the lease time (also during a
 * long run), and, as a service, tries the others so that a standby takes over within one lease time of the
 * holder's death and starts a run at once. Releases them all on shutdown.
 */
public final class LeaseKeeper extends ServiceSupport {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

    private final Leases leases;
    private final List<String> logTypes;
    private final boolean takeOver;
    private final Duration period;
    private final Consumer<String> onAcquired;
    private ScheduledExecutorService executor;

    public LeaseKeeper(Leases leases, List<String> logTypes, boolean takeOver, Duration leaseDuration,
            Consumer<String> onAcquired) {
        this.leases = leases;
        this.logTypes = List.copyOf(logTypes);
        this.takeOver = takeOver;
        this.period = leaseDuration.dividedBy(3);
        this.onAcquired = onAcquired;
    }

    @Override
    protected void doStart() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "lease-keeper");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::tick, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    void tick() {
        for (String logType : logTypes) {
            boolean held = leases.holds(logType);
            if (!held && !takeOver) {
                continue;
            }
            try {
                if (leases.tryHold(logType) && !held) {
                    LOG.info("{}: took over the lease; running now", logType);
                    onAcquired.accept(logType);
                }
            } catch (RuntimeException e) {
                LOG.warn("{}: lease check failed: {}", logType, e.toString());
            }
        }
    }

    @Override
    protected void doStop() {
        if (executor != null) {
            executor.shutdownNow();
        }
        leases.releaseAll();
    }
}
