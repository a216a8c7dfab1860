package com.mimecastsentinel.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import com.mimecastsentinel.demo.AwarenessFeeds;
import com.mimecastsentinel.support.ConnectorProcess;
import org.junit.jupiter.api.Test;

/**
 * The fault suite: the connector's own JVM killed with SIGKILL {@code faults.kills} times (default 20) at random
 * moments of its work on a backlog of {@code faults.days} days (default 5), with an Awareness Training snapshot beside
 * the event log types, then let finish; and ended with SIGTERM during a backlog.
 */
class CrashTest extends FaultScenarios {
    /**
     * Phishing campaign user data (the campaign list, then each campaign's pages): enough users for a snapshot of 120
     * pages of 50, long enough for kills and SIGTERM to land inside it.
     */
    private static final int AWARENESS_USERS = 3000;

    @Test
    void crashLoopLosesNothingAndResendsAtMostOneBatchPerKill() throws Exception {
        int kills = Integer.getInteger("faults.kills", 20);
        int days = Integer.getInteger("faults.days", 5);
        ConnectorProcess connector = new ConnectorProcess(work);
        account.simulator.awarenessUsers(AWARENESS_USERS);
        Map<String, String> env = new HashMap<>(account.environment("audit,siem,awareness-user-data",
                Map.of("MIMECAST_PAGE_SIZE", "50", "START_DATE",
                        account.start.minusDays(days - 1L).toString())));
        Random random = new Random(Long.getLong("faults.seed", 42L));
        int killed = 0;
        for (int i = 0; i < kills; i++) {
            Process process = connector.start(env, "crash-" + i);
            // the kill lands at a random moment of the work, not of the JVM's start-up (some seconds here)
            if (!untilWorking(connector, "crash-" + i, process)
                    || process.waitFor(200 + random.nextInt(1500), TimeUnit.MILLISECONDS)) {
                break; // caught up before the kill: the backlog is done
            }
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            killed++;
        }
        assertEquals(0, connector.run(env, "final"), "the run after the kills completes");

        Result audit = verify("Custom-Audit", expectedAudit(account.start.minusDays(days - 1L)));
        Result siem = verify("Custom-Seg_Cg", expectedSiem(account.start.minusDays(days - 1L)));
        Result awareness = verify(AWARENESS_STREAM, expectedAwareness());
        int auditResent = resentRequests("Custom-Audit");
        int siemResent = resentRequests("Custom-Seg_Cg");
        int awarenessResent = resentRequests(AWARENESS_STREAM);
        // duplicates per kill: the batches sent again, at most one for each kill and log type (they run side by side)
        record("kill -9 x" + killed + ", " + auditResent + " batches re-sent (audit)", audit);
        record("kill -9 x" + killed + ", " + siemResent + " batches re-sent (siem)", siem);
        int insideSnapshot = killsInsideTheSnapshot(connector, killed);
        record("kill -9 x" + killed + " (" + insideSnapshot + " in the snapshot), " + awarenessResent
                + " re-sent (awareness)", awareness);
        assertTrue(killed >= Math.min(kills, 5), "the kills landed while there was work: " + killed);
        assertNoSecrets(work);
        for (int resent : List.of(auditResent, siemResent, awarenessResent)) {
            assertTrue(resent <= killed, "at most one batch of a log type re-sent per kill: " + resent);
        }
        assertEquals(AWARENESS_USERS * AwarenessFeeds.CAMPAIGN_IDS.size(), awareness.delivered(),
                "one snapshot: every user of every campaign, whatever the kills");
        assertTrue(insideSnapshot >= 1, "a kill landed inside the Awareness Training snapshot");
    }

    /** Waits until the connector began its runs (it logged taking its lease); false when it ended first. */
    private static boolean untilWorking(ConnectorProcess connector, String name, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (Files.exists(connector.log(name))
                    && Files.readString(connector.log(name)).contains("this instance holds the lease")) {
                return true;
            }
            Thread.sleep(50);
        }
        return process.isAlive();
    }

    /**
     * How many kills landed while the Awareness Training snapshot was being sent: the processes from the one that
     * began it to the one that completed it.
     */
    private static int killsInsideTheSnapshot(ConnectorProcess connector, int killed) throws IOException {
        int began = -1;
        for (int i = 0; i <= killed; i++) {
            String log = Files.readString(i < killed ? connector.log("crash-" + i) : connector.log("final"));
            if (began < 0 && log.contains("awareness-user-data: a new snapshot")) {
                began = i;
            }
            if (began >= 0 && log.contains("awareness-user-data: run complete")) {
                return i - began;
            }
        }
        return 0;
    }

    @Test
    void sigtermEndsTheRunAfterThePageInFlightWithoutDuplicates() throws Exception {
        ConnectorProcess connector = new ConnectorProcess(work);
        account.simulator.awarenessUsers(AWARENESS_USERS);
        Map<String, String> env = new HashMap<>(account.environment("audit,siem,awareness-user-data",
                Map.of("MIMECAST_PAGE_SIZE", "50", "START_DATE", account.start.minusDays(4).toString())));
        Process process = connector.start(env, "terminated");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(connector.log("terminated")).contains("this instance holds the lease")
                && System.nanoTime() < deadline) {
            Thread.sleep(100); // until the first run has begun
        }
        Thread.sleep(700);
        assertTrue(process.isAlive(), "still working when terminated");
        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "stops within the shutdown timeout");
        assertTrue(process.exitValue() != 0, "RUN_ONCE cut short says so (143: ended by SIGTERM)");
        String log = Files.readString(connector.log("terminated"));
        assertTrue(log.contains("shutting down: the run ends here"), "the run ended between pages");

        assertEquals(0, connector.run(env, "after"));
        record("SIGTERM during a backlog (audit)", verify("Custom-Audit", expectedAudit(account.start.minusDays(4))));
        record("SIGTERM during a backlog (siem)", verify("Custom-Seg_Cg", expectedSiem(account.start.minusDays(4))));
        record("SIGTERM during a snapshot (awareness)", verify(AWARENESS_STREAM, expectedAwareness()));
    }
}
