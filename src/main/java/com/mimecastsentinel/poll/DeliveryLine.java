package com.mimecastsentinel.poll;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

import org.apache.camel.CamelContext;

/**
 * Where a log type's batches go once made: each is sent and then committed on a delivery thread, so that the route
 * makes the next batch (and downloads the next file) while this one is sent and committed, instead of each waiting
 * for the other (README, Performance). Order is kept, and one batch is in flight at a time: a batch is sent only
 * after the one before it was acknowledged and committed, so a crash re-sends at most one batch and a failed
 * commit is never followed by another acknowledged batch. A failure skips everything after it and is rethrown to
 * the route.
 */
final class DeliveryLine {
    private final ExecutorService thread;

    DeliveryLine(CamelContext camel, Object owner, String logType) {
        thread = camel.getExecutorServiceManager().newSingleThreadExecutor(owner, logType + "-delivery");
    }

    /**
     * Sends a batch ({@code send}) and then runs {@code acknowledged} (the commit), on the delivery thread. Waits
     * first until everything handed over before is done, so the route is at most one batch ahead.
     */
    void send(LogTypeRun run, Runnable send, Runnable acknowledged) {
        await(run);
        run.delivery = CompletableFuture.runAsync(() -> {
            send.run();
            acknowledged.run();
        }, thread);
    }

    /** Runs {@code work} on the delivery thread once everything handed over before succeeded. */
    void afterAcknowledged(LogTypeRun run, Runnable work) {
        CompletableFuture<Void> before = run.delivery != null ? run.delivery : CompletableFuture.completedFuture(null);
        run.delivery = before.thenRunAsync(work, thread);
    }

    /** Waits until everything handed over is done; rethrows its failure. */
    void await(LogTypeRun run) {
        CompletableFuture<Void> delivery = run.delivery;
        if (delivery == null) {
            return;
        }
        run.delivery = null;
        join(delivery);
    }

    /** The result of work done on another thread, or its failure as it was thrown there. */
    static <T> T join(CompletableFuture<T> work) {
        try {
            return work.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
