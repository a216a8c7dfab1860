package com.mimecastsentinel.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.demo.BatchFeeds;
import com.mimecastsentinel.demo.EventGenerator;

/**
 * A SIEM (Cloud Gateway) backlog as the batch API serves it: one gzip NDJSON file per hour of the 7 days Mimecast
 * keeps, all ten event types mixed, with the simulator's fields (the reference's records). Written before the
 * measurement, so that serving it costs the simulator nothing but reading files.
 */
final class SiemBacklog {
    static final String PATH = "/siem/v1/batch/events/cg";
    /** Hours of files: within the 7 days Mimecast keeps, with a few hours to spare so a backlog can be reused. */
    static final int HOURS = 160;

    /** What was written: events, uncompressed and gzip bytes, files. */
    record Summary(long events, long bytes, long gzipBytes, int files) {
    }

    private SiemBacklog() {
    }

    /** Writes about {@code targetBytes} of uncompressed events into {@code dir/cg/<hour>.json.gz}. */
    static Summary write(Path dir, long targetBytes, Instant now, ObjectMapper json) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("cg"));
        Path written = dir.resolve("summary.txt");
        long currentLast = now.getEpochSecond() / 3600 - 1;
        if (Files.exists(written)) {
            // reused while its hours are complete and still within the 7 days (a gigabyte takes minutes to write)
            String[] stored = Files.readString(written).trim().split(" ");
            long storedLast = Long.parseLong(stored[1]);
            if (Long.parseLong(stored[0]) == targetBytes && storedLast <= currentLast
                    && storedLast >= currentLast - (167 - HOURS)) {
                return new Summary(Long.parseLong(stored[2]), Long.parseLong(stored[3]), Long.parseLong(stored[4]),
                        HOURS);
            }
            Files.delete(written);
        }
        try (var old = Files.list(folder)) {
            for (Path file : old.toList()) {
                Files.delete(file);
            }
        }
        long lastHour = currentLast;
        long firstHour = lastHour - HOURS + 1;
        // the generator makes at most one Cloud Gateway event a second; a bigger backlog mixes in copies taken
        // from far-away hours (other ids) moved into this hour
        long wanted = (long) Math.ceil(targetBytes / meanSize(json, firstHour));
        long slots = HOURS * 3600L;
        int copies = (int) Math.max(1, Math.round((double) wanted / slots));
        long spacing = copies > 1 ? 1 : Math.max(1, slots / Math.max(1, wanted));
        EventGenerator events = BatchFeeds.all(json, Duration.ofSeconds(5 * spacing)).get(PATH).events();
        long count = 0;
        long bytes = 0;
        long gzipBytes = 0;
        for (long hour = firstHour; hour <= lastHour; hour++) {
            Path file = folder.resolve(hour + ".json.gz");
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
                for (ObjectNode event : hourOf(events, hour, copies)) {
                    byte[] line = json.writeValueAsBytes(event);
                    out.write(line);
                    out.write('\n');
                    bytes += line.length + 1;
                    count++;
                }
            }
            gzipBytes += Files.size(file);
        }
        Files.writeString(written, targetBytes + " " + lastHour + " " + count + " " + bytes + " " + gzipBytes);
        return new Summary(count, bytes, gzipBytes, HOURS);
    }

    /** One hour's events, {@code copies} times as many, oldest first. */
    private static List<ObjectNode> hourOf(EventGenerator events, long hour, int copies) {
        List<ObjectNode> all = new java.util.ArrayList<>();
        for (int copy = 0; copy < copies; copy++) {
            long shift = copy * 100_000L * 3600; // seconds: a far-away hour, so other slots and ids
            for (ObjectNode event : events.between(Instant.ofEpochSecond(hour * 3600 - shift),
                    Instant.ofEpochSecond(hour * 3600 + 3599 - shift))) {
                event.put("timestamp", event.path("timestamp").asLong() + shift * 1000);
                all.add(event);
            }
        }
        all.sort(java.util.Comparator.comparingLong(e -> e.path("timestamp").asLong()));
        return all;
    }

    private static double meanSize(ObjectMapper json, long hour) throws IOException {
        List<ObjectNode> sample = BatchFeeds.all(json, Duration.ofSeconds(5)).get(PATH).events()
                .between(Instant.ofEpochSecond(hour * 3600), Instant.ofEpochSecond(hour * 3600 + 3599));
        long size = 0;
        for (ObjectNode event : sample) {
            size += json.writeValueAsBytes(event).length + 1;
        }
        return (double) size / sample.size();
    }
}
