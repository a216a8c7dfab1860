package com.mimecastsentinel.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.mimecastsentinel.demo.MimecastSimulator;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.ConnectorProcess;
import com.mimecastsentinel.support.ProcessUsage;
import com.mimecastsentinel.support.TestTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many accounts in one JVM (docs/performance.md): {@code bench.accounts} accounts (3 in {@code mvn verify}; 50 with
 * {@code .ci/benchmark-accounts}) × 8 log types against the simulator, the connector a service as users run it.
 * Reports the start-up time, the time until every account's log types caught up a day's backlog, the steady RSS
 * after it and the CPU of an idle minute; asserts only that every account delivered what the others did, once.
 */
@ExtendWith(Azurite.class)
class AccountsBenchmarkTest {
    private static final List<String> LOG_TYPES = List.of("audit", "dlp", "ttp-url", "ttp-attachment",
            "ttp-impersonation", "archive-search", "held-release", "siem");
    private static final Pattern COMPLETE = Pattern.compile("accounts/(\\S+?)/(\\S+): run complete .*? delivered=(\\d+)");
    private final int accounts = Integer.getInteger("bench.accounts", 3);
    private final long idleSeconds = Long.getLong("bench.idle", 5);
    /** Seconds after the catch-up before the idle CPU is measured: the JIT compilers finish what the runs began. */
    private final long settleSeconds = Long.getLong("bench.settle", 0);

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void manyAccountsCatchUpAndIdle() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench", "accounts-" + UUID.randomUUID()));
        MimecastSimulator simulator = new MimecastSimulator(0, Duration.ofMinutes(10), TestTls.serverContext());
        simulator.start();
        try (IngestionMeter sentinel = new IngestionMeter()) {
            Path secret = Files.writeString(work.resolve("secret"), MimecastSimulator.DEMO_CLIENT_SECRET).toAbsolutePath();
            StringBuilder yaml = new StringBuilder();
            for (int i = 0; i < accounts; i++) {
                yaml.append("- name: customer-").append(i).append("\n  baseUrl: ").append(simulator.url())
                        .append("\n  clientId: ").append(MimecastSimulator.DEMO_CLIENT_ID)
                        .append("\n  clientSecretFile: ").append(secret)
                        .append("\n  logTypes: [").append(String.join(", ", LOG_TYPES)).append("]\n");
            }
            Path file = Files.writeString(work.resolve("accounts.yaml"), yaml);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("MIMECAST_ACCOUNTS_FILE", file.toAbsolutePath().toString());
            env.put("MIMECAST_ALLOW_PRIVATE_HOSTS", "localhost");
            env.putAll(sentinel.environment("accounts-" + UUID.randomUUID().toString().substring(0, 8)));
            env.put("START_DATE", Instant.now().minus(Duration.ofDays(1)).atZone(ZoneOffset.UTC).toLocalDate()
                    .toString());
            env.put("SCHEDULE", "0 0 0/6 * * ?"); // no scheduled run during the measurement: the first runs only
            env.put("LOG_LEVEL", "INFO");
            ConnectorProcess connector = new ConnectorProcess(work);
            long started = System.nanoTime();
            Process process = connector.start(env, "connector",
                    List.of(System.getProperty("bench.jvm", "-Xmx384m").split(" ")));
            try {
                Path log = connector.log("connector");
                long startupMillis = -1;
                long caughtUpMillis = -1;
                long peakRss = 0;
                int expected = accounts * LOG_TYPES.size();
                Map<String, Long> delivered = new HashMap<>();
                while (caughtUpMillis < 0 && System.nanoTime() - started < TimeUnit.MINUTES.toNanos(20)) {
                    assertTrue(process.isAlive(), "the connector runs");
                    peakRss = Math.max(peakRss, rssKb(process, "VmHWM:"));
                    String text = Files.exists(log) ? Files.readString(log) : "";
                    if (startupMillis < 0 && text.contains(") started in ")) {
                        startupMillis = (System.nanoTime() - started) / 1_000_000;
                    }
                    delivered.clear();
                    Matcher complete = COMPLETE.matcher(text);
                    while (complete.find()) {
                        delivered.merge(complete.group(2), Long.parseLong(complete.group(3)), Long::sum);
                    }
                    long runs = COMPLETE.matcher(text).results().count();
                    assertTrue(!text.contains("run FAILED"), "no run failed");
                    if (runs >= expected) {
                        caughtUpMillis = (System.nanoTime() - started) / 1_000_000;
                    }
                    Thread.sleep(200);
                }
                assertTrue(caughtUpMillis > 0, "every account's log types completed a run");
                long rssAfter = rssKb(process, "VmRSS:");
                Thread.sleep(TimeUnit.SECONDS.toMillis(settleSeconds));
                long cpuBefore = ProcessUsage.cpuMillis(process.toHandle());
                Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
                long idleCpu = ProcessUsage.cpuMillis(process.toHandle()) - cpuBefore;
                long rssIdle = rssKb(process, "VmRSS:");
                peakRss = Math.max(peakRss, rssKb(process, "VmHWM:"));
                long rows = delivered.values().stream().mapToLong(Long::longValue).sum();
                // correctness, the only assertion: every account read the same simulator, and each row arrived
                assertEquals(rows, sentinel.rows.get(), "every delivered row arrived");
                List<String> table = new ArrayList<>();
                table.add(String.format("%d accounts x %d log types (%d routes), a day's backlog each, JVM %s",
                        accounts, LOG_TYPES.size(), expected, System.getProperty("bench.jvm", "-Xmx384m")));
                table.add(String.format("start-up %.1f s; every first run complete after %.1f s; %d rows (%d per "
                        + "account)", startupMillis / 1000.0, caughtUpMillis / 1000.0, rows, rows / accounts));
                table.add(String.format("RSS peak %d MB, after the catch-up %d MB, %d s later %d MB", peakRss
                        / 1024, rssAfter / 1024, settleSeconds + idleSeconds, rssIdle / 1024));
                table.add(String.format("idle CPU %.2f %% of a core (%d ms in %d s, from %d s after the catch-up)",
                        idleCpu * 100.0 / (idleSeconds * 1000.0), idleCpu, idleSeconds, settleSeconds));
                Files.write(Path.of("target", "benchmark-accounts.txt"), table);
                table.forEach(System.out::println);
            } finally {
                process.destroy();
                process.waitFor(60, TimeUnit.SECONDS);
            }
        } finally {
            simulator.stop();
        }
    }

    private static long rssKb(Process process, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException gone) {
            // exited
        }
        return 0;
    }
}
