package com.mimecastsentinel.poll;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

import org.apache.camel.CamelContext;

/**
 * Where a log type's batches go once made: each is sent on a sending thread, then committed on a committing
 * thread, so that reading the next batch, sending this one and committing the one before overlap instead of taking
 * turns (each used to wait for the others: README, Performance). Order is kept: a commit runs only after the batch
 * it records was acknowledged and every commit before it succeeded; a failure skips everything after it and is
 * rethrown to the route. One batch is sent at a time (a failed batch is then never followed by an acknowledged
 * one, which the next run would send again), and the route stays at most one batch ahead.
 */
final class DeliveryLine {
    private final ExecutorService sending;
    private final ExecutorService committing;

    DeliveryLine(CamelContext camel, Object owner, String logType) {
        sending = camel.getExecutorServiceManager().newSingleThreadExecutor(owner, logType + "-send");
        committing = camel.getExecutorServiceManager().newSingleThreadExecutor(owner, logType + "-commit");
    }

    /**
     * Sends a batch ({@code send}, on the sending thread) and then runs {@code acknowledged} on the committing
     * thread. Waits first until the batch before was acknowledged and the commit before that one is written.
     */
    void send(LogTypeRun run, Runnable send, Runnable acknowledged) {
        join(run.sent);
        join(run.committedBefore);
        CompletableFuture<Void> sent = CompletableFuture.runAsync(send, sending);
        run.sent = sent;
        run.committedBefore = run.committed;
        run.committed = committed(run).thenCombineAsync(sent, (before, now) -> {
            acknowledged.run();
            return null;
        }, committing);
    }

    /** Runs {@code work} on the committing thread once everything handed over before succeeded. */
    void afterAcknowledged(LogTypeRun run, Runnable work) {
        run.committed = committed(run).thenRunAsync(work, committing);
    }

    /** Waits until everything handed over is done; rethrows the first failure. */
    void await(LogTypeRun run) {
        CompletableFuture<Void> sent = run.sent;
        CompletableFuture<Void> committed = run.committed;
        run.sent = null;
        run.committed = null;
        run.committedBefore = null;
        try {
            join(sent);
        } catch (RuntimeException failure) {
            committed.exceptionally(after -> null).join(); // it fails too, once nothing runs on any more
            throw failure;
        }
        join(committed);
    }

    private static CompletableFuture<Void> committed(LogTypeRun run) {
        return run.committed != null ? run.committed : CompletableFuture.completedFuture(null);
    }

    private static void join(CompletableFuture<Void> step) {
        if (step == null) {
            return;
        }
        try {
            step.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
