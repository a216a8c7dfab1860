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

    private java.util.concurrent.ExecutorService firstRuns;

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

    @Override
    protected synchronized void doStop() throws Exception {
        if (firstRuns != null) {
            getCamelContext().getExecutorServiceManager().shutdown(firstRuns);
            firstRuns = null;
        }
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
