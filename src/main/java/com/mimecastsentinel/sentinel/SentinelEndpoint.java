package com.mimecastsentinel.sentinel;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** {@code sentinel:<stream>} or {@code sentinel:threat-intelligence}: see {@link SentinelComponent}. */
public final class SentinelEndpoint extends DefaultEndpoint {
    /** The producer's headers: what became of the exchange's rows (docs/components.md). */
    public static final String ROWS_ACCEPTED = "SentinelRowsAccepted";
    public static final String BYTES_ACCEPTED = "SentinelBytesAccepted";
    public static final String NEWEST_EVENT = "SentinelNewestEventTime";
    public static final String ROWS_DEAD_LETTERED = "SentinelRowsDeadLettered";

    public static final String THREAT_INTELLIGENCE = "threat-intelligence";

    private final String stream;
    private String dcrId;
    private String ingestionEndpoint;

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

    SentinelComponent.Dcr dcr() {
        return dcrId == null && ingestionEndpoint == null ? SentinelComponent.Dcr.CONFIGURED
                : new SentinelComponent.Dcr(ingestionEndpoint, dcrId);
    }
}
