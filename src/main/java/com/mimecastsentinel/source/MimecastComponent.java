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
     * How many of the endpoints' runs at start-up go on at once: a connector of many accounts starts hundreds of
     * routes together, and each run in flight holds a thread and its batches in memory (at 400 at once a 256 MB heap
     * ran out). More than a connector of one account has log types; the threads end when idle.
     */
    static final int FIRST_RUNS = 32;

    /**
     * An account's runs at once, on threads of its own: the schedule's fires hand them over (see
     * {@link MimecastConsumer#run()}), so that an account whose API hangs holds its own threads only.
     */
    static final int RUNS_PER_ACCOUNT = 8;

    private java.util.concurrent.ExecutorService firstRuns;
    private final Map<MimecastAccount, java.util.concurrent.ExecutorService> accountRuns = new java.util.IdentityHashMap<>();

    /** Where the endpoints' runs at start-up go: {@value #FIRST_RUNS} at once, the others queued. */
    synchronized java.util.concurrent.ExecutorService firstRuns() {
        if (firstRuns == null) {
            firstRuns = getCamelContext().getExecutorServiceManager().newThreadPool(this, "mimecast-first-run",
                    new org.apache.camel.builder.ThreadPoolProfileBuilder("mimecast-first-runs").poolSize(FIRST_RUNS)
                            .maxPoolSize(FIRST_RUNS).keepAliveTime(30L, java.util.concurrent.TimeUnit.SECONDS)
                            .maxQueueSize(100_000).allowCoreThreadTimeOut(true).build());
        }
        return firstRuns;
    }

    /**
     * Where the scheduled runs of {@code account}'s endpoints go: {@value #RUNS_PER_ACCOUNT} at once, threads that
     * end when idle.
     */
    synchronized java.util.concurrent.ExecutorService runsOf(MimecastAccount account) {
        return accountRuns.computeIfAbsent(account, a -> getCamelContext().getExecutorServiceManager().newThreadPool(
                this, "mimecast-runs-" + (a.name() == null ? MimecastAccount.BEAN : a.name()),
                new org.apache.camel.builder.ThreadPoolProfileBuilder("mimecast-account-runs")
                        .poolSize(RUNS_PER_ACCOUNT).maxPoolSize(RUNS_PER_ACCOUNT).keepAliveTime(30L,
                                java.util.concurrent.TimeUnit.SECONDS).maxQueueSize(1000).allowCoreThreadTimeOut(true)
                        .build()));
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (firstRuns != null) {
            getCamelContext().getExecutorServiceManager().shutdown(firstRuns);
            firstRuns = null;
        }
        accountRuns.values().forEach(getCamelContext().getExecutorServiceManager()::shutdown);
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
