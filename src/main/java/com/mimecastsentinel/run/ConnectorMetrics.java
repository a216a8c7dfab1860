package com.mimecastsentinel.run;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.mimecastsentinel.source.MimecastAccount;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Per log type counters of what the connector did, published to the Prometheus registry of camel-main's
 * management server ({@code /observe/metrics}) when there is one: events fetched, delivered, duplicates dropped,
 * dead-lettered, ingestion requests and bytes, Mimecast 429s, runs and failed runs, last success time and checkpoint lag.
 */
public final class ConnectorMetrics {

    /** Counters of one log type. */
    public static final class LogTypeCounters {
        /** Its meters' labels, made once: counted several times a batch. */
        private final io.micrometer.core.instrument.Tags tags;
        private final MeterRegistry registry;
        final AtomicLong lastSuccessEpoch = new AtomicLong();
        final AtomicReference<Instant> newestDelivered = new AtomicReference<>();

        LogTypeCounters(String logType, MeterRegistry registry, Clock clock) {
            this.tags = tags(logType);
            this.registry = registry;
            if (registry != null) {
                Gauge.builder("mimecast_last_success_timestamp_seconds", lastSuccessEpoch, AtomicLong::get)
                        .description("end of the last successful run").tags(tags).register(registry);
                Gauge.builder("mimecast_checkpoint_lag_seconds", newestDelivered, newest -> newest.get() == null
                        ? Double.NaN : clock.instant().getEpochSecond() - newest.get().getEpochSecond())
                        .description("now minus the newest delivered event time").tags(tags)
                        .register(registry);
            }
        }

        /** Adds to a counter, registered (at zero) whatever the amount: a scrape finds every counter of a log type. */
        void count(String name, String description, long amount) {
            if (registry != null) {
                Counter counter = Counter.builder(name).description(description).tags(tags)
                        .register(registry);
                if (amount > 0) {
                    counter.increment(amount);
                }
            }
        }
    }

    /**
     * The labels of a log type's meters: {@code account} (a declared account's name, "" for the MIMECAST_* one) and
     * {@code log_type} (as its route file names it).
     */
    static io.micrometer.core.instrument.Tags tags(String logType) {
        return io.micrometer.core.instrument.Tags.of("account", MimecastAccount.accountOf(logType), "log_type",
                MimecastAccount.logTypeOf(logType));
    }

    private final Map<String, LogTypeCounters> counters = new ConcurrentHashMap<>();
    /** Per log type, when it last made progress: a run that ended without failure, or a batch delivered. */
    private final Map<String, Instant> progress = new ConcurrentHashMap<>();
    private final Clock clock;
    private volatile MeterRegistry registry;

    public ConnectorMetrics(Clock clock) {
        this.clock = clock;
    }

    /** Publishes to this registry from now on (camel-main creates it when metrics are enabled). */
    public void bind(MeterRegistry meterRegistry) {
        this.registry = meterRegistry;
        counters.clear();
    }

    public LogTypeCounters of(String logType) {
        return counters.computeIfAbsent(logType, t -> new LogTypeCounters(t, registry, clock));
    }

    /** One batch the sink accepted: its rows, its size (JSON as sent, uncompressed) and the newest event in it. */
    public void delivered(String logType, long rows, long bytes, Instant newest) {
        LogTypeCounters c = of(logType);
        c.count("mimecast_events_delivered_total", "events the sink accepted", rows);
        c.count("mimecast_ingestion_requests_total", "requests to the sink", rows > 0 || bytes > 0 ? 1 : 0);
        c.count("mimecast_ingestion_bytes_total", "uncompressed JSON bytes the sink accepted", bytes);
        if (newest != null) {
            c.newestDelivered.accumulateAndGet(newest, (a, b) -> a == null || b.isAfter(a) ? b : a);
        }
        if (rows > 0) {
            progressed(logType);
        }
    }

    /** The log type moved on: a run ended without failure (or stood by for another instance), a batch went out. */
    public void progressed(String logType) {
        progress.put(logType, clock.instant());
    }

    /** When the log type last made progress; null when it never did in this process. */
    public Instant lastProgress(String logType) {
        return progress.get(logType);
    }

    public void fetched(String logType, long events) {
        of(logType).count("mimecast_events_fetched_total", "events read from Mimecast", events);
    }

    public void duplicates(String logType, long events) {
        of(logType).count("mimecast_duplicates_dropped_total", "events dropped as already delivered", events);
    }

    public void additionalFields(String logType, long fields) {
        of(logType).count("mimecast_additional_fields_total",
                "fields sent in AdditionalFields: not declared by the table, or not of its column's type", fields);
    }

    public void deadLettered(String logType, long items) {
        of(logType).count("mimecast_dead_lettered_total", "items written to the dead-letter location", items);
    }

    /** A Mimecast call of this log type answered 429 (it waits as told and tries again). */
    public void rateLimited(String logType) {
        rateLimited(logType, 1);
    }

    private void rateLimited(String logType, long answers) {
        of(logType.isEmpty() ? "none" : logType).count("mimecast_rate_limited_total",
                "Mimecast answers HTTP 429", answers);
    }

    public void runFinished(String logType, boolean success) {
        LogTypeCounters c = of(logType);
        c.count("mimecast_runs_total", "runs of the log type", 1);
        // every counter of the log type, at zero until it counts something
        delivered(logType, 0, 0, null);
        deadLettered(logType, 0);
        rateLimited(logType, 0);
        c.count("mimecast_failed_runs_total", "runs that failed", 0);
        if (success) {
            c.lastSuccessEpoch.set(clock.instant().getEpochSecond());
            progressed(logType);
        } else {
            c.count("mimecast_failed_runs_total", "runs that failed", 1);
        }
    }
}
