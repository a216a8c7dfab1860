package com.mimecastsentinel.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mimecastsentinel.support.ConnectorProcess;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fault suite: two instances on one checkpoint store, the lease holder killed. */
class TwoInstancesTest extends FaultScenarios {
    /**
     * Two instances on one checkpoint store: one runs the log type, the other stands by and takes over once the
     * first dies. Also when both were given the same INSTANCE_ID (Azure grants a lease again to the same lease id):
     * the second process sees the first's live claim and stands by, saying why.
     */
    @ParameterizedTest(name = "same INSTANCE_ID: {0}")
    @ValueSource(booleans = { false, true })
    void twoInstancesNeverBothSendAndTheStandbyTakesOver(boolean sameInstanceId) throws Exception {
        Map<String, String> env = new HashMap<>(account.environment("audit", Map.of("MIMECAST_PAGE_SIZE", "50",
                "START_DATE", account.start.minusDays(3).toString(), "RUN_ONCE", "false",
                "SCHEDULE", "0/2 * * * * ?", "LEASE_DURATION", "PT15S")));
        if (sameInstanceId) {
            env.put("INSTANCE_ID", "connector-0");
        }
        ConnectorProcess one = new ConnectorProcess(Files.createDirectories(work.resolve("one")));
        ConnectorProcess two = new ConnectorProcess(Files.createDirectories(work.resolve("two")));
        Process first = one.start(env, "one");
        Process other = two.start(env, "two");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            ConnectorProcess leader = null;
            while (leader == null && System.nanoTime() < deadline) {
                Thread.sleep(500);
                leader = Files.readString(one.log("one")).contains("this instance holds the lease") ? one
                        : Files.readString(two.log("two")).contains("this instance holds the lease") ? two : null;
            }
            assertTrue(leader != null, "one instance took the lease");
            ConnectorProcess standby = leader == one ? two : one;
            String standbyLog = standby == one ? "one" : "two";
            // the other's first run (at its start-up, which may come seconds later on a busy machine) stands by
            long standbyDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(standby.log(standbyLog)).contains("standing by")
                    && System.nanoTime() < standbyDeadline) {
                Thread.sleep(500);
            }
            assertTrue(Files.readString(standby.log(standbyLog)).contains("standing by"), "the other stands by");
            assertTrue(!Files.readString(standby.log(standbyLog)).contains("this instance holds the lease"));
            if (sameInstanceId) {
                assertTrue(Files.readString(standby.log(standbyLog)).contains("another live process uses this "
                        + "INSTANCE_ID"), "and says why");
            }

            (leader == one ? first : other).destroyForcibly().waitFor(30, TimeUnit.SECONDS); // the leader dies
            long killedAt = System.nanoTime();
            while (!Files.readString(standby.log(standbyLog)).contains("this instance holds the lease")
                    && System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(40)) {
                Thread.sleep(500);
            }
            long takeover = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killedAt);
            assertTrue(Files.readString(standby.log(standbyLog)).contains("this instance holds the lease"),
                    "the standby took over");
            assertTrue(takeover <= 15 + 10, "within the lease time (and one check): " + takeover + " s");
            // the new leader's first run catches up where the old one stopped (the standby never ran before)
            long caughtUpBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(standby.log(standbyLog)).contains("audit: run complete")
                    && System.nanoTime() < caughtUpBy) {
                Thread.sleep(200);
            }
            assertTrue(Files.readString(standby.log(standbyLog)).contains("audit: run complete"),
                    "the new leader completed a run");
        } finally {
            first.destroy();
            other.destroy();
            first.waitFor(60, TimeUnit.SECONDS);
            other.waitFor(60, TimeUnit.SECONDS);
            Files.createDirectories(Path.of("target", "fault-logs"));
            String label = sameInstanceId ? "same-id-" : "";
            Files.copy(one.log("one"), Path.of("target", "fault-logs", "two-instances-" + label + "one.log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(two.log("two"), Path.of("target", "fault-logs", "two-instances-" + label + "two.log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Result result = verify("Custom-Audit", expectedAudit(account.start.minusDays(3)));
        int resent = resentRequests("Custom-Audit");
        row(sameInstanceId
                ? "two processes, one INSTANCE_ID, the holder killed" : "two instances, the lease holder killed",
                result.source(), result.delivered(), result.duplicates(), result.lost(), result.deadLettered(),
                result.lost() == 0 && resent <= 1 ? "PASS" : "FAIL");
        assertEquals(0, result.lost(), "nothing lost");
        assertTrue(resent <= 1, "at most the batch in flight at the kill was sent again: " + resent);
    }
}
