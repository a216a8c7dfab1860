package com.mimecastsentinel.sentinel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.run.ConnectorMetrics;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code sentinel:} component, the last step of every log type's route: {@code sentinel:<stream>} sends the
 * batch's rows to that stream of the DCR through the Logs Ingestion API, {@code sentinel:threat-intelligence}
 * sends indicators to Sentinel's STIX upload. With {@code SINK=file} (the demo) both append NDJSON files instead.
 * The connector's configuration makes it from the settings (endpoint, DCR, credential), so the route says only
 * where the rows go. A stream of another DCR names it: {@code sentinel:<stream>?dcrId=dcr-...&ingestionEndpoint=https://...}
 * (the Awareness Training tables: one DCR holds at most 10 streams).
 */
@Component("sentinel")
public final class SentinelComponent extends DefaultComponent {
    /** Requests stay a little under the SDK's 1 MiB (system property {@code mimecast.batch-bytes}: tests). */
    public static final int DEFAULT_MAX_BYTES = 1_000_000;

    /** A DCR and its logs ingestion endpoint; nulls for the configured ones (SENTINEL_DCR_ID). */
    public record Dcr(String ingestionEndpoint, String dcrId, String tenantId) {
        public static final Dcr CONFIGURED = new Dcr(null, null, null);
    }

    /** A workspace for threat intelligence (null fields: SENTINEL_WORKSPACE_ID's, AZURE_TENANT_ID's). */
    public record Workspace(String workspaceId, String tenantId) {
        public static final Workspace CONFIGURED = new Workspace(null, null);
    }

    private final Function<Dcr, Destination> logs;
    private final Map<Dcr, Destination> byDcr = new ConcurrentHashMap<>();
    private final Function<Workspace, Destination> threatIntelligence;
    private final Map<Workspace, Destination> byWorkspace = new ConcurrentHashMap<>();
    private final DeadLetters deadLetters;
    private final ConnectorMetrics metrics;
    private final int maxBytes;
    /** Whether the settings' DCRs' tables declare mimecastAccount (SENTINEL_ACCOUNT_COLUMN; the demo's accounts'). */
    private boolean accountColumn;

    /**
     * @param logs               where rows for a stream of a DCR go (made when first used)
     * @param threatIntelligence where indicators for a workspace go, made when first used
     */
    public SentinelComponent(Function<Dcr, Destination> logs, Function<Workspace, Destination> threatIntelligence,
            DeadLetters deadLetters, ConnectorMetrics metrics, int maxBytes) {
        this.logs = logs;
        this.threatIntelligence = threatIntelligence;
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

    /** Where the endpoint's rows for {@code target} go ({@link Target#SETTINGS}: where the settings say). */
    Destination destination(SentinelEndpoint endpoint, Target target) {
        if (SentinelEndpoint.THREAT_INTELLIGENCE.equals(endpoint.getStream())) {
            return byWorkspace.computeIfAbsent(target.workspace(), threatIntelligence);
        }
        return byDcr.computeIfAbsent(target.dcr(endpoint), logs);
    }

    /** Whether the tables of the settings' DCRs declare {@code mimecastAccount} (SENTINEL_ACCOUNT_COLUMN). */
    public boolean isAccountColumn() {
        return accountColumn;
    }

    public void setAccountColumn(boolean accountColumn) {
        this.accountColumn = accountColumn;
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
        return byDcr.computeIfAbsent(Dcr.CONFIGURED, logs).describe();
    }
}
