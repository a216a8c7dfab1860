package com.mimecastsentinel.source;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.ScheduledPollEndpoint;

/**
 * {@code mimecast:<logType>}: the log type's Mimecast logs as a scheduled polling consumer, one exchange per batch
 * (docs/components.md lists the options and headers). What it asks Mimecast for is its {@code source}, a bean of the
 * log type's route file; the schedule is the polling consumer's ({@code scheduler=quartz}, {@code scheduler.cron}).
 */
@UriEndpoint(firstVersion = "1.0.0", scheme = "mimecast", title = "Mimecast", syntax = "mimecast:logType",
        consumerOnly = true, category = { Category.MONITORING, Category.SECURITY }, headersClass = Batch.class)
public final class MimecastEndpoint extends ScheduledPollEndpoint {

    @UriPath(description = "The log type: its checkpoint, its leadership namespace, its run summaries")
    @Metadata(required = true)
    private String logType;

    @UriParam(description = "What to ask Mimecast: a source bean (PagedSource, BatchSource, SiemFileSource, "
            + "ThreatFeedSource, AwarenessSource) with its path, records, filters, retention")
    @Metadata(required = true)
    private MimecastSource source;

    @UriParam(description = "The Mimecast account: its base URL and credentials (a MimecastAccount bean)",
            defaultValue = "#mimecast")
    private MimecastAccount account;

    MimecastEndpoint(String uri, MimecastComponent component, String logType) {
        super(uri, component);
        this.logType = logType;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("mimecast: is a consumer (from:), not a producer: " + getEndpointUri());
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (source == null) {
            throw new IllegalArgumentException(getEndpointUri() + ": the source option is required (a source bean, "
                    + "e.g. source=#" + logType + "-source)");
        }
        if (account == null) {
            throw new IllegalArgumentException(getEndpointUri() + ": no Mimecast account (the account option, or a "
                    + "bean named " + MimecastAccount.BEAN + ")");
        }
        MimecastConsumer consumer = new MimecastConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    public String getLogType() {
        return logType;
    }

    public void setLogType(String logType) {
        this.logType = logType;
    }

    public MimecastAccount getAccount() {
        return account;
    }

    public void setAccount(MimecastAccount account) {
        this.account = account;
    }

    public MimecastSource getSource() {
        return source;
    }

    public void setSource(MimecastSource source) {
        this.source = source;
    }
}
