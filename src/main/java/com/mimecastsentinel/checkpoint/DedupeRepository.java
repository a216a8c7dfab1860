package com.mimecastsentinel.checkpoint;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event ids of each log type, for dropping duplicates. Ids are <em>pending</em> from the moment a row is made
 * until the sink acknowledged its batch; then they are <em>delivered</em> and the next checkpoint commit persists
 * them (in the same document as the position, see {@link Checkpoints}). Ids never delivered are forgotten when the
 * next run reloads the checkpoint, so a failed batch is sent again.
 *
 * <p>Checked for a whole page or file in one call per row from Java rather than through Camel's
 * {@code idempotentConsumer}: that EIP needs an exchange per event, which cost a fifth of the SIEM route's time.
 */
public final class DedupeRepository {

    private static final class Keys {
        final Map<String, Long> delivered = new HashMap<>();
        final Map<String, Long> pending = new HashMap<>();
    }

    private final Map<String, Keys> byLogType = new ConcurrentHashMap<>();

    /** Starts a run from what the checkpoint holds: pending ids of an earlier failed run are dropped. */
    public void reset(String logType, Map<String, Long> committed) {
        Keys keys = new Keys();
        if (committed != null) {
            keys.delivered.putAll(committed);
        }
        byLogType.put(logType, keys);
    }

    /** True when the id is new (it is pending from now on); false for an id pending or delivered already. */
    public boolean add(String logType, String id, long eventSeconds) {
        Keys keys = keys(logType);
        synchronized (keys) {
            if (keys.delivered.containsKey(id) || keys.pending.containsKey(id)) {
                return false;
            }
            keys.pending.put(id, eventSeconds);
            return true;
        }
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

    /** An id known to be delivered already (a resumed file's lines before its position). */
    public void delivered(String logType, String id, long eventSeconds) {
        Keys keys = keys(logType);
        synchronized (keys) {
            keys.pending.remove(id);
            keys.delivered.put(id, eventSeconds);
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

    private Keys keys(String logType) {
        return byLogType.computeIfAbsent(logType, t -> new Keys());
    }
}
