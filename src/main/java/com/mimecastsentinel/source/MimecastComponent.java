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
