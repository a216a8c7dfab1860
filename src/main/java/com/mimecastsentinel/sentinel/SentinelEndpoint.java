package com.mimecastsentinel.sentinel;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** {@code sentinel:<stream>} or {@code sentinel:threat-intelligence}: see {@link SentinelComponent}. */
public final class SentinelEndpoint extends DefaultEndpoint {
    public static final String THREAT_INTELLIGENCE = "threat-intelligence";

    private final String stream;

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
}
