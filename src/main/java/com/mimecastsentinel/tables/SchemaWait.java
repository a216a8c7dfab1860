package com.mimecastsentinel.tables;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * How long to wait for a table change the service applies asynchronously (a table PUT may answer 202, a migration
 * may take a moment): read again every {@code interval} until the change shows or {@code limit} has passed. Tests
 * give a short one.
 */
public record SchemaWait(Duration limit, Duration interval) {
    public static final SchemaWait DEFAULT = new SchemaWait(Duration.ofMinutes(2), Duration.ofSeconds(5));

    /** @return the last read: one {@code done} accepts, or the one read when the limit passed */
    <T> T poll(Supplier<T> read, Predicate<T> done) {
        long deadline = System.nanoTime() + limit.toNanos();
        T last = read.get();
        while (!done.test(last) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a table change", e);
            }
            last = read.get();
        }
        return last;
    }
}
