package com.mimecastsentinel.sentinel;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code sentinel:<stream>} or {@code sentinel:threat-intelligence}: the batch's rows to a stream of a DCR through the
 * Logs Ingestion API, or indicators to Sentinel's STIX upload (docs/components.md). The exchange completes once the
 * destination accepted them.
 */
@UriEndpoint(firstVersion = "1.0.0", scheme = "sentinel", title = "Microsoft Sentinel", syntax = "sentinel:stream",
        producerOnly = true, category = { Category.MONITORING, Category.CLOUD }, headersClass = SentinelEndpoint.class)
public final class SentinelEndpoint extends DefaultEndpoint {
    /** The producer's headers: what became of the exchange's rows (docs/components.md). */
    @Metadata(description = "The rows the destination accepted", javaType = "int")
    public static final String ROWS_ACCEPTED = "SentinelRowsAccepted";
    @Metadata(description = "Their bytes, as sent", javaType = "long")
    public static final String BYTES_ACCEPTED = "SentinelBytesAccepted";
    @Metadata(description = "The newest event time among them", javaType = "java.time.Instant")
    public static final String NEWEST_EVENT = "SentinelNewestEventTime";
    @Metadata(description = "The rows sent to the dead letters instead", javaType = "int")
    public static final String ROWS_DEAD_LETTERED = "SentinelRowsDeadLettered";

    public static final String THREAT_INTELLIGENCE = "threat-intelligence";
    /** The exchange variable with the {@link Target} of the batch's account, when it is not the settings'. */
    public static final String TARGET = "sentinelTarget";

    @UriPath(description = "The DCR stream (Custom-<Table>), or threat-intelligence for Sentinel's STIX upload")
    @Metadata(required = true)
    private final String stream;
    @UriParam(description = "The immutable id of the stream's DCR, when it is not SENTINEL_DCR_ID's")
    private String dcrId;
    @UriParam(description = "The logs ingestion endpoint of that DCR, when it is not SENTINEL_INGESTION_ENDPOINT")
    private String ingestionEndpoint;
    @UriParam(description = "The stream is in the Awareness Training DCR: a declared account's own replaces it",
            defaultValue = "false")
    private boolean awareness;

    SentinelEndpoint(String uri, SentinelComponent component, String stream) {
        super(uri, component);
        this.stream = stream;
    }

    @Override
    public Producer createProducer() {
        return new SentinelProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("sentinel: is a destination only");
    }

    @Override
    public SentinelComponent getComponent() {
        return (SentinelComponent) super.getComponent();
    }

    public String getStream() {
        return stream;
    }

    /** The immutable id of the stream's DCR, when it is not SENTINEL_DCR_ID's (blank: that one). */
    public void setDcrId(String dcrId) {
        this.dcrId = dcrId == null || dcrId.isBlank() ? null : dcrId.trim();
    }

    public String getDcrId() {
        return dcrId;
    }

    /** The logs ingestion endpoint of that DCR (blank: SENTINEL_INGESTION_ENDPOINT). */
    public void setIngestionEndpoint(String ingestionEndpoint) {
        this.ingestionEndpoint = ingestionEndpoint == null || ingestionEndpoint.isBlank() ? null
                : ingestionEndpoint.trim();
    }

    public String getIngestionEndpoint() {
        return ingestionEndpoint;
    }

    public boolean isAwareness() {
        return awareness;
    }

    public void setAwareness(boolean awareness) {
        this.awareness = awareness;
    }

    /**
     * Proves, without adding a row, that the destination takes this endpoint's stream (the {@code check} command):
     * see {@link Destination#probe}.
     */
    public Destination.Probe probe(Target target) {
        return getComponent().destination(this, target).probe(stream);
    }

    /** Where the rows for {@code target} go, without credentials. */
    public String destination(Target target) {
        return getComponent().destination(this, target).describe();
    }

    SentinelComponent.Dcr dcr() {
        return dcrId == null && ingestionEndpoint == null ? SentinelComponent.Dcr.CONFIGURED
                : new SentinelComponent.Dcr(ingestionEndpoint, dcrId, null);
    }
}
