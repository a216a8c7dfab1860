package com.mimecastsentinel.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.ConnectorProcess;
import com.mimecastsentinel.support.ProcessUsage;
import com.mimecastsentinel.support.SimulatedAccount;
import com.mimecastsentinel.transform.EventIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIEM listing a compromised or broken upstream could send, read by the connector in its own JVM with a 512 MB heap:
 * among the ordinary hourly files, a gzip bomb (1.5 MB that inflates to one line of 1.5 GB), a file with a line
 * nested 100 000 deep, and an entry whose URL is not one (it holds a {@code {{env:…}}} placeholder). The run
 * completes, each bad entry is dead-lettered once with its reason, every other event arrives once, a second run
 * sends nothing again, and the peak RSS stays within 10 % of the same run without the bad entries. The numbers go to
 * target/hostile-input.txt.
 */
@ExtendWith(Azurite.class)
class HostileListingTest {
    private static final List<String> KEYS = List.of("processingId", "aggregateId", "type", "subtype", "timestamp",
            "action", "messageId", "accountId");
    private static final long BOMB_BYTES = 1_500_000_000L;
    private static final int NESTING = 100_000;
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void badEntriesCostThemselvesAndMemoryStaysFlat() throws Exception {
        byte[] bomb = bomb();
        // the ordinary listing twice: the same run's peak RSS varies by tens of MB (G1 sizing its heap); the higher
        // one is what an ordinary run may take
        Run normal = null;
        for (int i = 0; i < 2; i++) {
            try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(2))) {
                account.azure.acceptUploads();
                Run ordinary = run(account, "normal-" + i);
                assertEquals(0, ordinary.exit(), "the ordinary listing");
                if (normal == null || ordinary.usage().peakRssKb() > normal.usage().peakRssKb()) {
                    normal = ordinary;
                }
            }
        }
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(2))) {
            account.azure.acceptUploads();
            long firstHour = account.start.atStartOfDay(ZoneOffset.UTC).toEpochSecond() / 3600;
            account.simulator.addListedFile(firstHour + 1, "cg", "bomb.json.gz", bomb);
            List<ObjectNode> around = List.of(event("before-nesting"), event("after-nesting"));
            account.simulator.addListedFile(firstHour + 2, "cg", "nested.json.gz", nested(around));
            String home = System.getenv().getOrDefault("HOME", "/root");
            account.simulator.addListingEntry(firstHour + 3, json.createObjectNode().put("url",
                    account.simulator.url() + "/siem-files/cg/{{env:HOME}}.json.gz?sig=1").put("size", 10));

            Run hostile = run(account, "hostile");
            assertEquals(0, hostile.exit(), "the run completes: " + hostile.tail());

            Set<String> expected = new HashSet<>(expectedIds(account));
            around.forEach(e -> expected.add(EventIds.of(e, null, KEYS)));
            Map<String, Integer> delivered = account.azure.deliveredIds("Custom-Seg_Cg");
            Set<String> lost = new HashSet<>(expected);
            lost.removeAll(delivered.keySet());
            assertEquals(Set.of(), lost, "every other event of the listing and of the nested line's file");
            assertTrue(delivered.values().stream().allMatch(n -> n == 1), "none twice");

            List<JsonNode> letters = account.deadLetters("siem");
            assertEquals(3, letters.size(), "one dead letter per bad entry: " + reasons(letters));
            JsonNode bombLetter = only(letters, "inflates more than MIMECAST_MAX_INFLATE_RATIO");
            assertTrue(bombLetter.path("source").asText().endsWith("/siem-files/cg/bomb.json.gz"));
            assertEquals(bomb.length, bombLetter.path("contentBytes").asLong(), "the file's size as served");
            assertEquals(sha256(bomb), bombLetter.path("contentSha256").asText());
            JsonNode nestedLetter = only(letters, "nesting depth");
            assertTrue(nestedLetter.path("source").asText().endsWith("nested.json.gz"));
            JsonNode urlLetter = only(letters, "not a valid URI");
            assertFalse(urlLetter.toString().contains(home + ".json"), "the placeholder was never resolved");
            assertTrue(urlLetter.path("content").asText().contains("{{env:HOME}}"), "the entry as it came");
            assertFalse(account.simulator.fileRequests().stream().anyMatch(path -> path.contains("{")
                    || path.contains(home)), "the bad URL was not fetched");

            int before = account.azure.uploads("Custom-Seg_Cg").size();
            Run again = run(account, "again");
            assertEquals(0, again.exit());
            Map<String, Integer> afterSecond = account.azure.deliveredIds("Custom-Seg_Cg");
            assertTrue(afterSecond.values().stream().allMatch(n -> n == 1), "the second run sends nothing again");
            assertEquals(3, account.deadLetters("siem").size(), "and dead-letters nothing again");
            int newUploads = account.azure.uploads("Custom-Seg_Cg").size() - before;

            double ratio = (double) hostile.usage().peakRssKb() / normal.usage().peakRssKb();
            List<String> report = List.of(
                    "Hostile SIEM listing (512 MB heap): a 1.5 GB single-line gzip bomb (" + bomb.length
                            + " bytes), a line nested " + NESTING + " deep, a URL holding {{env:HOME}}",
                    String.format("%-40s %10s %12s %14s", "", "exit", "peak RSS MB", "dead letters"),
                    String.format("%-40s %10d %12.0f %14d", "ordinary listing (the higher of two)", normal.exit(),
                            normal.usage().peakRssKb() / 1024.0, 0),
                    String.format("%-40s %10d %12.0f %14d", "with the three bad entries", hostile.exit(),
                            hostile.usage().peakRssKb() / 1024.0, letters.size()),
                    String.format("peak RSS hostile / ordinary: %.0f %% (%+d MB); events delivered %d, lost %d, twice 0; "
                            + "second run: exit %d, %d new uploads (only a newly completed hour)", 100 * ratio,
                            (hostile.usage().peakRssKb() - normal.usage().peakRssKb()) / 1024, delivered.size(),
                            lost.size(), again.exit(), newUploads));
            Files.write(Path.of("target", "hostile-input.txt"), report);
            report.forEach(System.out::println);
            // flat: the 1.5 GB bomb and the 100 000-deep line cost no more than G1's own sizing of the heap under the
            // garbage of inflating them, 10 % of the ordinary run or 48 MB, whichever is more (an ordinary run takes
            // some 260 MB since a run's batches are exchanges of their own; 10 % of it is within G1's variation);
            // holding the bomb's line or a file would take hundreds of MB
            long extraKb = hostile.usage().peakRssKb() - normal.usage().peakRssKb();
            assertTrue(ratio <= 1.10 || extraKb <= 48 * 1024, "peak RSS within 10 % or 48 MB of the ordinary run: "
                    + report);
        }
    }

    /**
     * An Error in the thread that reads the files (here an OutOfMemoryError: a line limit set far above what the
     * heap holds, and a file with a 200 MB line) ends the run with a clear message; the run does not hang.
     */
    @Test
    void anErrorInTheFileReaderEndsTheRunInsteadOfHanging() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            account.azure.acceptUploads();
            long firstHour = account.start.atStartOfDay(ZoneOffset.UTC).toEpochSecond() / 3600;
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
                byte[] block = new byte[1 << 20];
                Arrays.fill(block, (byte) 'A');
                for (int i = 0; i < 200; i++) {
                    gzip.write(block);
                }
            }
            account.simulator.addListedFile(firstHour, "cg", "long-line.json.gz", bytes.toByteArray());
            ConnectorProcess connector = new ConnectorProcess(Files.createDirectories(work.resolve("oom")));
            Process process = connector.start(account.environment("siem", Map.of("MIMECAST_MAX_LINE_BYTES", "256MiB",
                    "MIMECAST_MAX_INFLATE_RATIO", "100000")), "oom", List.of("-Xmx128m"));
            assertTrue(process.waitFor(180, java.util.concurrent.TimeUnit.SECONDS), "the run ends");
            String log = Files.readString(connector.log("oom"));
            assertEquals(1, process.exitValue(), "a failed run: " + log.substring(Math.max(0, log.length() - 3000)));
            assertTrue(log.contains("siem: run FAILED"), "its summary says so");
            assertTrue(log.contains("long-line.json.gz failed: java.lang.OutOfMemoryError"), "and why");
        }
    }

    record Run(int exit, ProcessUsage usage, String log) {
        String tail() {
            return log.substring(Math.max(0, log.length() - 3000));
        }
    }

    private Run run(SimulatedAccount account, String name) throws Exception {
        ConnectorProcess connector = new ConnectorProcess(Files.createDirectories(work.resolve(name)));
        // the JVM as users run it (the tests' quicker start changes what a run's memory looks like)
        Process process = connector.start(account.environment("siem", Map.of()), name, List.of("-Xmx512m"));
        ProcessUsage usage = ProcessUsage.untilExit(process);
        return new Run(process.exitValue(), usage, Files.readString(connector.log(name)));
    }

    private Set<String> expectedIds(SimulatedAccount account) throws Exception {
        String token = account.checkpoint("siem").path("nextPage").asText();
        long nextHour = Long.parseLong(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8)
                .substring("hour:".length()));
        return account.simulator.events("/siem/v1/batch/events/cg")
                .between(account.start.atStartOfDay(ZoneOffset.UTC).toInstant(),
                        Instant.ofEpochSecond(nextHour * 3600 - 1))
                .stream().map(e -> EventIds.of(e, null, KEYS)).collect(Collectors.toSet());
    }

    private ObjectNode event(String processingId) {
        return json.createObjectNode().put("accountId", "C0A0").put("processingId", processingId)
                .put("aggregateId", "agg-" + processingId).put("type", "receipt").put("subtype", "Allow")
                .put("timestamp", Instant.now().minus(Duration.ofHours(12)).toEpochMilli()).put("action", "Allow")
                .put("messageId", "<" + processingId + "@example.com>");
    }

    /** A file of an ordinary line, a line nested {@value #NESTING} deep, and another ordinary line. */
    private byte[] nested(List<ObjectNode> around) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(json.writeValueAsBytes(around.get(0)));
            gzip.write('\n');
            gzip.write("{\"accountId\":\"C0A0\",\"deep\":".getBytes(StandardCharsets.UTF_8));
            byte[] open = new byte[NESTING];
            Arrays.fill(open, (byte) '[');
            byte[] close = new byte[NESTING];
            Arrays.fill(close, (byte) ']');
            gzip.write(open);
            gzip.write(close);
            gzip.write("}\n".getBytes(StandardCharsets.UTF_8));
            gzip.write(json.writeValueAsBytes(around.get(1)));
            gzip.write('\n');
        }
        return bytes.toByteArray();
    }

    /** 1.5 GB of one line without a newline, gzipped (about 1.5 MB); made once and kept in target/. */
    private static byte[] bomb() throws IOException {
        Path file = Path.of("target", "test-inputs", "siem-bomb-1.5g.json.gz");
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            Path partial = file.resolveSibling(file.getFileName() + ".part");
            try (OutputStream out = Files.newOutputStream(partial);
                    GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16) {
                        {
                            def.setLevel(Deflater.BEST_COMPRESSION);
                        }
                    }) {
                gzip.write("{\"accountId\":\"C0A0\",\"bomb\":\"".getBytes(StandardCharsets.UTF_8));
                byte[] block = new byte[1 << 20];
                Arrays.fill(block, (byte) 'A');
                for (long written = 0; written < BOMB_BYTES; written += block.length) {
                    gzip.write(block);
                }
            }
            Files.move(partial, file);
        }
        return Files.readAllBytes(file);
    }

    private static JsonNode only(List<JsonNode> letters, String reason) {
        List<JsonNode> found = letters.stream().filter(l -> l.path("reason").asText().contains(reason)).toList();
        assertEquals(1, found.size(), "one dead letter for '" + reason + "': " + reasons(letters));
        return found.get(0);
    }

    private static List<String> reasons(List<JsonNode> letters) {
        List<String> reasons = new ArrayList<>();
        letters.forEach(l -> reasons.add(l.path("reason").asText()));
        return reasons;
    }

    private static String sha256(byte[] content) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
    }
}
