package com.mimecastsentinel.sentinel;

import java.util.Map;
import java.util.function.Supplier;

import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.run.ConnectorMetrics;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code sentinel:} component, the last step of every log type's route: {@code sentinel:<stream>} sends the
 * batch's rows to that stream of the DCR through the Logs Ingestion API, {@code sentinel:threat-intelligence}
 * sends indicators to Sentinel's STIX upload. With {@code SINK=file} (the demo) both append NDJSON files instead.
 * The connector's configuration makes it from the settings (endpoint, DCR, credential), so the route says only
 * where the rows go.
 */
public final class SentinelComponent extends DefaultComponent {
    /** Requests stay a little under the SDK's 1 MiB (system property {@code mimecast.batch-bytes}: tests). */
    public static final int DEFAULT_MAX_BYTES = 1_000_000;

    private final Supplier<Destination> logs;
    private final Supplier<Destination> threatIntelligence;
    private final DeadLetters deadLetters;
    private final ConnectorMetrics metrics;
    private final int maxBytes;

    /**
     * @param logs               where rows for a DCR stream go
     * @param threatIntelligence where indicators go (made when first used: it needs SENTINEL_WORKSPACE_ID)
     */
    public SentinelComponent(Supplier<Destination> logs, Supplier<Destination> threatIntelligence,
            DeadLetters deadLetters, ConnectorMetrics metrics, int maxBytes) {
        this.logs = memoize(logs);
        this.threatIntelligence = memoize(threatIntelligence);
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.maxBytes = maxBytes;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException("sentinel: needs a stream (sentinel:Custom-Audit) or "
                    + "sentinel:" + SentinelEndpoint.THREAT_INTELLIGENCE);
        }
        SentinelEndpoint endpoint = new SentinelEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    Destination destination(String stream) {
        return SentinelEndpoint.THREAT_INTELLIGENCE.equals(stream) ? threatIntelligence.get() : logs.get();
    }

    DeadLetters deadLetters() {
        return deadLetters;
    }

    ConnectorMetrics metrics() {
        return metrics;
    }

    public int maxBytes() {
        return maxBytes;
    }

    /** Where rows go, for the start-up log line. */
    public String describe() {
        return logs.get().describe();
    }

    private static <T> Supplier<T> memoize(Supplier<T> supplier) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = supplier.get();
                }
                return value;
            }
        };
    }
}
