package com.mimecastsentinel.source;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * One account's runs, handed to the component's pool of runs at most {@code limit} at a time, the others waiting
 * their turn in the order they came (first in, first out): an account whose API hangs, or whose runs are long, holds
 * at most that many threads of the pool, and none of its runs is dropped. A run the pool refuses (it is stopping) is
 * given back to its consumer.
 */
final class AccountRuns {

    /** A run to hand over: what it does, and what it does when it will not run. */
    interface Run {
        void run();

        void refused(RuntimeException why);
    }

    private final Executor pool;
    private final int limit;
    private final Queue<Run> waiting = new ArrayDeque<>();
    private int going;

    AccountRuns(Executor pool, int limit) {
        this.pool = pool;
        this.limit = limit;
    }

    /** Runs {@code run} on the pool now, or once one of the account's runs going on ended. */
    void submit(Run run) {
        synchronized (this) {
            if (going >= limit) {
                waiting.add(run);
                return;
            }
            going++;
        }
        dispatch(run);
    }

    /** How many of the account's runs are on the pool, and how many wait. */
    synchronized int[] counts() {
        return new int[] { going, waiting.size() };
    }

    private void dispatch(Run run) {
        try {
            pool.execute(() -> {
                try {
                    run.run();
                } finally {
                    ended();
                }
            });
        } catch (RuntimeException refused) {
            ended();
            run.refused(refused);
        }
    }

    private void ended() {
        Run next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                going--;
                return;
            }
        }
        dispatch(next); // its turn: it takes the place of the one that ended
    }
}
