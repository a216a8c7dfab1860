package com.mimecastsentinel.checkpoint;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Camel idempotent repository for the event ids of each log type. Ids the idempotent consumer adds are
 * <em>pending</em> until the sink acknowledged their batch; then they are <em>delivered</em> and the next
 * checkpoint commit persists them (in the same document as the position, see {@link Checkpoints}). Ids never
 * delivered are forgotten when the next run reloads the checkpoint, so a failed batch is sent again.
 *
 * <p>The log type comes from the exchange property {@value #LOG_TYPE}, the event time (for pruning) from the
 * header {@value #EVENT_TIME_HEADER} in epoch milliseconds.
 */
public final class DedupeRepository extends ServiceSupport implements IdempotentRepository {
    public static final String LOG_TYPE = "mcLogType";
    public static final String EVENT_TIME_HEADER = "mimecastEventTime";

    private static final class Keys {
        final Map<String, Long> delivered = new HashMap<>();
        final Map<String, Long> pending = new HashMap<>();
    }

    private final Map<String, Keys> byLogType = new ConcurrentHashMap<>();

    /** Starts a run from what the checkpoint holds: pending ids of an earlier failed run are dropped. */
    public void reset(String logType, Map<String, Long> committed) {
        Keys keys = new Keys();
        keys.delivered.putAll(committed);
        byLogType.put(logType, keys);
    }

    /** The sink acknowledged these ids: the next commit persists them. */
    public void delivered(String logType, Collection<String> ids) {
        Keys keys = keys(logType);
        synchronized (keys) {
            for (String id : ids) {
                Long time = keys.pending.remove(id);
                keys.delivered.put(id, time == null ? Instant.now().getEpochSecond() : time);
            }
        }
    }

    /** Delivered ids whose event time is at or after {@code cutoff}: older ones can no longer come back. */
    public Map<String, Long> deliveredSince(String logType, Instant cutoff) {
        Keys keys = keys(logType);
        synchronized (keys) {
            long limit = cutoff == null ? Long.MIN_VALUE : cutoff.getEpochSecond();
            keys.delivered.values().removeIf(time -> time < limit);
            return new TreeMap<>(keys.delivered);
        }
    }

    @Override
    public boolean add(Exchange exchange, String key) {
        Keys keys = keys(logType(exchange));
        Long millis = exchange.getMessage().getHeader(EVENT_TIME_HEADER, Long.class);
        long seconds = millis == null ? Instant.now().getEpochSecond() : Math.floorDiv(millis, 1000L);
        synchronized (keys) {
            if (keys.delivered.containsKey(key) || keys.pending.containsKey(key)) {
                return false;
            }
            keys.pending.put(key, seconds);
            return true;
        }
    }

    @Override
    public boolean contains(Exchange exchange, String key) {
        Keys keys = keys(logType(exchange));
        synchronized (keys) {
            return keys.delivered.containsKey(key) || keys.pending.containsKey(key);
        }
    }

    @Override
    public boolean remove(Exchange exchange, String key) {
        Keys keys = keys(logType(exchange));
        synchronized (keys) {
            return keys.pending.remove(key) != null;
        }
    }

    @Override
    public boolean confirm(Exchange exchange, String key) {
        return true; // an id becomes durable only with the checkpoint commit after its batch was acknowledged
    }

    @Override
    public boolean add(String key) {
        throw new UnsupportedOperationException("needs the exchange to know the log type");
    }

    @Override
    public boolean contains(String key) {
        throw new UnsupportedOperationException("needs the exchange to know the log type");
    }

    @Override
    public boolean remove(String key) {
        throw new UnsupportedOperationException("needs the exchange to know the log type");
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        byLogType.clear();
    }

    private Keys keys(String logType) {
        return byLogType.computeIfAbsent(logType, t -> new Keys());
    }

    private static String logType(Exchange exchange) {
        String logType = exchange.getProperty(LOG_TYPE, String.class);
        if (logType == null) {
            throw new IllegalStateException("exchange property " + LOG_TYPE + " is not set");
        }
        return logType;
    }
}
