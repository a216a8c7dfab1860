package com.mimecastsentinel.run;

import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

import org.apache.camel.Exchange;

/**
 * What one batch's exchange carries besides its body (the exchange property {@value #PROPERTY}, set by the
 * {@code mimecast} consumer): its log type, the days its rows keep, whether the repository remembers the ids it
 * sends, and what the steps of the route counted of it (rows dropped as duplicates, rows skipped, fields sent in
 * AdditionalFields). It lives as long as the exchange; the consumer adds it to its run once the route completed it.
 * Steps outside a {@code mimecast} route find none and count nothing.
 */
public final class BatchScope {
    public static final String PROPERTY = "MimecastBatch";

    public final String logType;
    /** Rows with an event time before this are not sent (a SIEM listing's first day begins before the start). */
    public final Instant keepFrom;
    /** Rows with an event time at or after this are not sent (a backfill's end). */
    public final Instant keepUntil;
    /** Whether the ids of the rows sent are remembered, to drop them when a later batch has them again. */
    public final boolean rememberIds;

    public final LongAdder duplicates = new LongAdder();
    /** Rows not sent for a reason other than a duplicate: outside the run's days, unreadable, dead-lettered. */
    public final LongAdder skipped = new LongAdder();
    /** Fields sent in AdditionalFields: the table declares no column for them (or their value did not fit it). */
    public final LongAdder additionalFields = new LongAdder();

    public BatchScope(String logType, Instant keepFrom, Instant keepUntil, boolean rememberIds) {
        this.logType = logType;
        this.keepFrom = keepFrom;
        this.keepUntil = keepUntil;
        this.rememberIds = rememberIds;
    }

    /** The batch of this exchange, or null outside a {@code mimecast} route. */
    public static BatchScope of(Exchange exchange) {
        return exchange.getProperty(PROPERTY, BatchScope.class);
    }

    /** The log type of the exchange's batch, else its route's id (a route of a user's own). */
    public static String logTypeOf(Exchange exchange) {
        BatchScope batch = of(exchange);
        return batch != null ? batch.logType : exchange.getFromRouteId();
    }

    /** Whether a row with this event time is one the batch sends. */
    public boolean keeps(long eventMillis) {
        return (keepFrom == null || eventMillis >= keepFrom.toEpochMilli())
                && (keepUntil == null || eventMillis < keepUntil.toEpochMilli());
    }
}
