package com.mimecastsentinel;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Per log type counters of what the connector did, for run summaries and the exit status of RUN_ONCE. */
public final class ConnectorMetrics {

    /** Counters of one log type. */
    public static final class LogTypeCounters {
        public final AtomicLong delivered = new AtomicLong();
        public final AtomicLong runs = new AtomicLong();
        public final AtomicLong failedRuns = new AtomicLong();
        public volatile Instant lastSuccess;
    }

    private final Map<String, LogTypeCounters> counters = new ConcurrentHashMap<>();

    public LogTypeCounters of(String logType) {
        return counters.computeIfAbsent(logType, t -> new LogTypeCounters());
    }

    public void delivered(String logType, long rows) {
        of(logType).delivered.addAndGet(rows);
    }

    public void runFinished(String logType, boolean success) {
        LogTypeCounters c = of(logType);
        c.runs.incrementAndGet();
        if (success) {
            c.lastSuccess = Instant.now();
        } else {
            c.failedRuns.incrementAndGet();
        }
    }
}
