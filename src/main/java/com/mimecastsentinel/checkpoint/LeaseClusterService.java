package com.mimecastsentinel.checkpoint;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.support.cluster.AbstractCamelClusterService;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's cluster SPI over the connector's {@link Leases} (Blob leases in the checkpoint container, or lock files):
 * the view of a namespace (a log type) has this instance as its leader while it holds that namespace's lease. A view
 * tries the lease every third of the lease time, which renews it while held, so a standby becomes leader within one
 * lease time of the holder's death; stopping the service gives every lease up, so a standby takes over at its next
 * try. Used through {@code master:} or a clustered route policy, the route runs on the leader only.
 */
public final class LeaseClusterService extends AbstractCamelClusterService<LeaseClusterService.View> {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseClusterService.class);
    public static final String ID = "mimecast-leases";

    private final Leases leases;
    private final String memberId;
    private final Duration period;
    private final java.util.function.Consumer<String> standingBy;
    private ScheduledExecutorService executor;

    /**
     * @param memberId this instance's name in the views (its lease id: INSTANCE_ID, else host and directory)
     * @param leaseDuration how long a lease lasts unrenewed (LEASE_DURATION)
     * @param standingBy told of each try that found another instance leading (a follower's route does not run, so
     *        this is how the runs learn that it stands by)
     */
    public LeaseClusterService(Leases leases, String memberId, Duration leaseDuration,
            java.util.function.Consumer<String> standingBy) {
        super(ID);
        this.leases = leases;
        this.memberId = memberId;
        this.period = leaseDuration.dividedBy(3);
        this.standingBy = standingBy;
        // after any cluster service a user configures (camel-kubernetes' Lease one, …): that one leads then
        setOrder(Integer.MAX_VALUE);
    }

    @Override
    protected void doStart() throws Exception {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "lease-cluster");
            thread.setDaemon(true);
            return thread;
        });
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop(); // the views first: none tries again once the leases are given up
        executor.shutdownNow();
        leases.releaseAll();
    }

    @Override
    protected View createView(String namespace) {
        return new View(namespace);
    }

    /** The leadership of one namespace, as this instance knows it: itself, or nobody it knows. */
    public final class View extends AbstractCamelClusterView {
        private final CamelClusterMember local = new Member();
        private volatile boolean leader;
        /** Whether a try has decided yet: the first decision is logged, standing by included. */
        private boolean tried;
        /** Counted down by the first try since the view (re)started: a view stopped and started again decides anew. */
        private volatile java.util.concurrent.CountDownLatch decided = new java.util.concurrent.CountDownLatch(1);
        private ScheduledFuture<?> task;

        View(String namespace) {
            super(LeaseClusterService.this, namespace);
        }

        @Override
        protected void doStart() {
            if (decided.getCount() == 0) {
                decided = new java.util.concurrent.CountDownLatch(1);
            }
            task = executor.scheduleWithFixedDelay(this::tick, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        protected void doStop() {
            if (task != null) {
                task.cancel(false);
            }
            if (leader) {
                leader = false;
                fireLeadershipChangedEvent(Optional.empty());
            }
        }

        /** Tries (or renews) the lease; a change of leadership is told to the view's listeners. */
        void tick() {
            boolean held;
            try {
                held = leases.tryHold(getNamespace());
            } catch (RuntimeException e) {
                // the store did not answer: leader as long as the lease it holds has not lapsed
                held = leases.holds(getNamespace());
                LOG.warn("{}: lease check failed: {}", getNamespace(), e.toString());
            }
            if (!tried || held != leader) {
                LOG.info("{}: {}", getNamespace(), held ? "this instance leads (holds the lease)"
                        : "another instance holds this log type's lease; standing by");
            }
            tried = true;
            if (held != leader) {
                leader = held;
                fireLeadershipChangedEvent(held ? Optional.of(local) : Optional.empty());
            }
            decided.countDown();
            if (!held) {
                standingBy.accept(getNamespace());
            }
        }

        /**
         * A listener added once the view holds the lease (a policy of a route added later, a reloaded route) is told
         * so at once: otherwise it would hear of leadership only when it changes.
         */
        @Override
        public void addEventListener(org.apache.camel.cluster.CamelClusterEventListener listener) {
            super.addEventListener(listener);
            if (leader && listener instanceof org.apache.camel.cluster.CamelClusterEventListener.Leadership told) {
                told.leadershipChanged(this, local);
            }
        }

        /** Waits for the view's first try of the lease (its listeners were told the outcome); false on time-out. */
        public boolean awaitDecision(Duration timeout) throws InterruptedException {
            return decided.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public Optional<CamelClusterMember> getLeader() {
            return leader ? Optional.of(local) : Optional.empty();
        }

        @Override
        public CamelClusterMember getLocalMember() {
            return local;
        }

        /** Leases name no other holder: the members this instance knows are itself. */
        @Override
        public List<CamelClusterMember> getMembers() {
            return List.of(local);
        }

        private final class Member implements CamelClusterMember {
            @Override
            public boolean isLeader() {
                return leader;
            }

            @Override
            public boolean isLocal() {
                return true;
            }

            @Override
            public String getId() {
                return memberId;
            }
        }
    }
}
