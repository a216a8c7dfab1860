package com.mimecastsentinel.source;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code mimecast} component: {@code from: mimecast:<logType>?source=#<logType>-source}. Its endpoints call the
 * account {@code #mimecast} unless they name another ({@code account}), and report each run to the poll strategy
 * {@value #RUNS} when the registry has one (the run summaries, RUN_ONCE), unless the route names its own
 * {@code pollStrategy}. An option the endpoint does not have fails start-up, naming it.
 */
@Component("mimecast")
public final class MimecastComponent extends DefaultComponent {
    public static final String RUNS = "mimecastRuns";
    /**
     * How many of the endpoints' runs go on at once, in all: each run in flight holds a thread and its batches in
     * memory, and a connector of many accounts starts hundreds of routes together (at 400 runs at once a 256 MB heap
     * ran out). More than a connector of one account has log types; the threads end when idle.
     */
    static final int RUNS_AT_ONCE = 32;

    /**
     * How many runs of one account go on at once (the others wait their turn): an account whose API hangs holds at
     * most this many of the {@value #RUNS_AT_ONCE} threads, so that the other accounts' runs go on (see
     * {@link MimecastConsumer#run()}).
     */
    static final int RUNS_PER_ACCOUNT = 8;

    private java.util.concurrent.ExecutorService runs;
    private final Map<MimecastAccount, AccountRuns> accountRuns = new java.util.IdentityHashMap<>();
    /**
     * One run of a log type's state at a time, whichever consumer makes it: a route restarted (leadership moving
     * back) makes a new consumer while a run of the one before may still be ending.
     */
    private final Map<String, java.util.concurrent.locks.ReentrantLock> runLocks =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The endpoints' runs (at start-up, and the schedule's fires): {@value #RUNS_AT_ONCE} at once, the others
     * queued. A stopping component takes none: a run handed over then is refused, never run by the caller.
     */
    private synchronized java.util.concurrent.ExecutorService runs() {
        if (isStoppingOrStopped()) {
            throw new java.util.concurrent.RejectedExecutionException("the mimecast component is stopping");
        }
        if (runs == null) {
            runs = getCamelContext().getExecutorServiceManager().newThreadPool(this, "mimecast-run",
                    new org.apache.camel.builder.ThreadPoolProfileBuilder("mimecast-runs").poolSize(RUNS_AT_ONCE)
                            .maxPoolSize(RUNS_AT_ONCE).keepAliveTime(30L, java.util.concurrent.TimeUnit.SECONDS)
                            .maxQueueSize(100_000).allowCoreThreadTimeOut(true)
                            .rejectedPolicy(org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy.Abort).build());
        }
        return runs;
    }

    /** Where {@code account}'s runs go: {@value #RUNS_PER_ACCOUNT} at once on the pool of runs. */
    synchronized AccountRuns runsOf(MimecastAccount account) {
        return accountRuns.computeIfAbsent(account, a -> new AccountRuns(task -> runs().execute(task),
                RUNS_PER_ACCOUNT));
    }

    /** The lock of one log type's state ({@link MimecastAccount#qualify}): one run of it at a time. */
    java.util.concurrent.locks.ReentrantLock runLock(String state) {
        return runLocks.computeIfAbsent(state, s -> new java.util.concurrent.locks.ReentrantLock());
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (runs != null) {
            getCamelContext().getExecutorServiceManager().shutdown(runs);
            runs = null;
        }
        accountRuns.clear();
        super.doStop();
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException(uri + ": the log type is missing (mimecast:<logType>)");
        }
        MimecastEndpoint endpoint = new MimecastEndpoint(uri, this, remaining);
        PollingConsumerPollStrategy runs = getCamelContext().getRegistry().lookupByNameAndType(RUNS,
                PollingConsumerPollStrategy.class);
        if (runs != null) {
            endpoint.setPollStrategy(runs);
        }
        endpoint.setAccount(getCamelContext().getRegistry().lookupByNameAndType(MimecastAccount.BEAN,
                MimecastAccount.class));
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
