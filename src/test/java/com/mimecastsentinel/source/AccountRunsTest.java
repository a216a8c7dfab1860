package com.mimecastsentinel.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

import org.junit.jupiter.api.Test;

/** An account's runs: at most its limit on the pool, the others in order after them, none dropped. */
class AccountRunsTest {
    /** A pool that holds what it is given until the test runs it, or refuses it once shut. */
    private final List<Runnable> pool = new ArrayList<>();
    private boolean shut;
    private final AccountRuns runs = new AccountRuns(task -> {
        if (shut) {
            throw new RejectedExecutionException("shut");
        }
        pool.add(task);
    }, 2);
    private final List<String> log = new ArrayList<>();

    private AccountRuns.Run run(String name) {
        return new AccountRuns.Run() {
            @Override
            public void run() {
                log.add("ran " + name);
            }

            @Override
            public void refused(RuntimeException why) {
                log.add("refused " + name);
            }
        };
    }

    @Test
    void runsPastTheLimitWaitAndGoInTheOrderTheyCame() {
        for (String name : List.of("a", "b", "c", "d")) {
            runs.submit(run(name));
        }
        assertEquals(2, pool.size(), "two on the pool");
        assertArrayEquals(new int[] { 2, 2 }, runs.counts());
        pool.remove(0).run(); // a ends: c takes its place
        assertEquals(List.of("ran a"), log);
        assertArrayEquals(new int[] { 2, 1 }, runs.counts());
        pool.remove(0).run();
        pool.remove(0).run();
        pool.remove(0).run();
        assertEquals(List.of("ran a", "ran b", "ran c", "ran d"), log);
        assertArrayEquals(new int[] { 0, 0 }, runs.counts());
    }

    @Test
    void aRunThePoolRefusesIsGivenBackAndTakesNoPlace() {
        runs.submit(run("a"));
        runs.submit(run("b"));
        runs.submit(run("c"));
        shut = true;
        pool.remove(0).run(); // a ends; c's turn, but the pool is shut
        assertEquals(List.of("ran a", "refused c"), log);
        assertArrayEquals(new int[] { 1, 0 }, runs.counts(), "b still on the pool; c's place given back");
        runs.submit(run("d"));
        assertEquals(List.of("ran a", "refused c", "refused d"), log);
        assertArrayEquals(new int[] { 1, 0 }, runs.counts());
    }
}
