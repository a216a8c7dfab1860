package com.mimecastsentinel.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.demo.MimecastSimulator;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.ConnectorProcess;
import com.mimecastsentinel.support.ProcessUsage;
import com.mimecastsentinel.support.TestTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The SIEM batch route against the machine's own ceiling (docs/performance.md). A backlog of {@code bench.mb}
 * megabytes of uncompressed events (default: a tiny one, as CI runs it) is served by the simulator from files; the
 * real connector (its own JVM, {@code bench.jvm} flags) reads it with RUN_ONCE through HTTPS into a measuring
 * Logs Ingestion fake, with checkpoints and dedupe state in Azurite. Then a plain loop does the least work any
 * connector must do over the same files, with the same flags. The table goes to {@code target/benchmark.txt}.
 * Only correctness is asserted (every event once, no 413): speed is measured, not asserted.
 */
@ExtendWith(Azurite.class)
class SiemBenchmarkTest {
    private static final Pattern SUMMARY = Pattern.compile("siem: run complete .*? fetched=(\\d+) delivered=(\\d+) "
            + "duplicates=(\\d+) skipped=(\\d+) additionalFields=\\d+ duration=(\\d+)ms");
    private final ObjectMapper json = new ObjectMapper();
    private final double megabytes = Double.parseDouble(System.getProperty("bench.mb", "2"));
    private final List<String> jvm = List.of(System.getProperty("bench.jvm", "-Xmx256m").split(" "));

    @Test
    @Timeout(value = 90, unit = TimeUnit.MINUTES)
    void siemBacklogAgainstTheCeiling() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench"));
        Path backlogDir = work.resolve("backlog");
        Instant now = Instant.now();
        SiemBacklog.Summary backlog = SiemBacklog.write(backlogDir, (long) (megabytes * 1_000_000), now, json);

        Measured ceiling = ceiling(backlogDir.resolve("cg"));

        String container = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        Path run = Files.createDirectories(work.resolve("run-" + container));
        MimecastSimulator simulator = new MimecastSimulator(0, Duration.ofHours(1), TestTls.serverContext());
        simulator.serveBatchFiles(backlogDir);
        simulator.start();
        try (IngestionMeter sentinel = new IngestionMeter()) {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("MIMECAST_BASE_URL", simulator.url().toString());
            env.put("MIMECAST_ALLOW_PRIVATE_HOSTS", "localhost");
            env.put("MIMECAST_CLIENT_ID", MimecastSimulator.DEMO_CLIENT_ID);
            env.put("MIMECAST_CLIENT_SECRET", MimecastSimulator.DEMO_CLIENT_SECRET);
            env.putAll(sentinel.environment(container));
            env.put("START_DATE", now.minus(Duration.ofDays(7)).atZone(ZoneOffset.UTC).toLocalDate().toString());
            env.put("MIMECAST_LOG_TYPES", "siem");
            env.put("RUN_ONCE", "true");
            env.put("LOG_LEVEL", "INFO");
            ConnectorProcess connector = new ConnectorProcess(run);
            long harnessBefore = ProcessUsage.cpuMillis(ProcessHandle.current()) + azuriteCpuMillis();
            Process process = connector.start(env, "connector", jvm);
            ProcessUsage usage = ProcessUsage.untilExit(process);
            long harnessMillis = ProcessUsage.cpuMillis(ProcessHandle.current()) + azuriteCpuMillis() - harnessBefore;
            String log = Files.readString(connector.log("connector"));
            assertEquals(0, process.exitValue(), log.substring(Math.max(0, log.length() - 4000)));
            Matcher summary = SUMMARY.matcher(log);
            assertTrue(summary.find(), "a run summary line");
            long delivered = Long.parseLong(summary.group(2));
            long millis = Long.parseLong(summary.group(5));

            // correctness, the only assertions: every event exactly once, no request over the limit
            assertEquals(backlog.events(), delivered, "every event delivered");
            assertEquals(backlog.events(), sentinel.distinctIds(), "every event reached Sentinel");
            assertEquals(backlog.events(), sentinel.rows.get(), "none twice");
            assertEquals(0, sentinel.tooLarge.get(), "no request over 1 MB");

            JsonNode checkpoint = json.readTree(new BlobServiceClientBuilder()
                    .connectionString(Azurite.connectionString()).buildClient().getBlobContainerClient(container)
                    .getBlobClient("checkpoints/siem.json").downloadContent().toBytes());
            List<String> table = table(backlog, ceiling, new Measured(delivered, millis, usage.peakRssKb(),
                    usage.cpuMillis()), sentinel, simulator, checkpoint);
            table.add(String.format("CPU time while the route ran: connector %.1f s (its start-up included), "
                    + "simulator + ingestion fake + Azurite %.1f s; the ceiling %.1f s",
                    usage.cpuMillis() / 1000.0, harnessMillis / 1000.0, ceiling.cpuMillis() / 1000.0));
            Files.write(Path.of("target", "benchmark.txt"), table);
            table.forEach(System.out::println);
        } finally {
            simulator.stop();
        }
    }

    record Measured(long events, long millis, long peakRssKb, long cpuMillis) {
        double eventsPerSecond() {
            return events * 1000.0 / Math.max(1, millis);
        }
    }

    private Measured ceiling(Path files) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(jvm);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CeilingLoop.class.getName(),
                files.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        ProcessUsage usage = ProcessUsage.untilExit(process);
        String output = new String(process.getInputStream().readAllBytes()).trim();
        assertEquals(0, process.exitValue(), output);
        // its result is the last line: JVM flags may print before it (-XX:StartFlightRecording does)
        String[] out = output.substring(output.lastIndexOf('\n') + 1).trim().split("\\s+");
        return new Measured(Long.parseLong(out[0]), Long.parseLong(out[1]), usage.peakRssKb(), usage.cpuMillis());
    }

    /** Azurite runs beside the tests (a node process started by them); 0 when it runs elsewhere. */
    private static long azuriteCpuMillis() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("azurite"))
                .mapToLong(ProcessUsage::cpuMillis).sum();
    }

    private static List<String> table(SiemBacklog.Summary backlog, Measured ceiling, Measured route,
            IngestionMeter sentinel, MimecastSimulator simulator, JsonNode checkpoint) {
        double mb = backlog.bytes() / 1e6;
        long requests = Math.max(1, sentinel.requests.get());
        List<String> rows = new ArrayList<>();
        rows.add(String.format("SIEM backlog: %.1f MB of events (%d events, %d files, %.1f MB gzip), JVM %s, %d cores",
                mb, backlog.events(), backlog.files(), backlog.gzipBytes() / 1e6,
                String.join(" ", System.getProperty("bench.jvm", "-Xmx256m")),
                Runtime.getRuntime().availableProcessors()));
        rows.add(String.format("%-34s %12s %10s %12s", "", "events/s", "MB/s", "peak RSS MB"));
        rows.add(String.format("%-34s %12.0f %10.1f %12.0f", "ceiling (gunzip, parse, write, gzip)",
                ceiling.eventsPerSecond(), mb * 1000 / Math.max(1, ceiling.millis()), ceiling.peakRssKb() / 1024.0));
        rows.add(String.format("%-34s %12.0f %10.1f %12.0f", "route (RUN_ONCE siem)", route.eventsPerSecond(),
                mb * 1000 / Math.max(1, route.millis()), route.peakRssKb() / 1024.0));
        rows.add(String.format("route / ceiling: %.0f %%", 100 * route.eventsPerSecond() / ceiling.eventsPerSecond()));
        rows.add(String.format("ingestion requests %d (413: %d); payload mean %.0f KB / max %.0f KB uncompressed "
                + "(%.0f %% of the 1 MB cap), mean %.0f KB / max %.0f KB gzip",
                sentinel.requests.get(), sentinel.tooLarge.get(), sentinel.jsonBytes.get() / 1024.0 / requests,
                sentinel.maxJson.get() / 1024.0, 100.0 * sentinel.jsonBytes.get() / requests / IngestionMeter.LIMIT,
                sentinel.gzipBytes.get() / 1024.0 / requests, sentinel.maxGzip.get() / 1024.0));
        rows.add(String.format("Mimecast calls: token %d, list %d, download %d; Entra token requests %d; run %.0f s",
                simulator.tokenRequests(), simulator.listingRequests(), simulator.fileDownloads(),
                sentinel.tokens.get(), route.millis() / 1000.0));
        rows.add(String.format("dedupe state at the end: %d ids in the checkpoint (%d bytes as JSON)",
                checkpoint.path("recentEventIds").size(), checkpoint.toString().length()));
        return rows;
    }
}
