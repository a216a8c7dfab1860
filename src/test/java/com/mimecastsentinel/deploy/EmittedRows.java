package com.mimecastsentinel.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.mimecastsentinel.Application;

/**
 * The rows the connector sends, per stream: the real routes of routes/*.yaml run once over a day of the demo
 * simulator's records (which carry the documented fields of each log type) with the file output, and what they
 * wrote is read back. What is collected is every column with the JSON kinds of value it held; where each log type
 * sends is read from its route's {@code sentinel:} step.
 */
final class EmittedRows {
    /** {@code {{env:NAME:default}}}: the stream a log type sends to unless its variable says otherwise. */
    static final Pattern ENV_DEFAULT = Pattern.compile("\\{\\{env:([A-Za-z0-9_]+):([^}]*)}}");
    /** {@code to: sentinel:<stream>} (or {@code to: uri: sentinel:<stream>}) in a log type's rows route. */
    private static final Pattern SINK = Pattern.compile("(?:to|uri):\\s*\"?sentinel:([^\"\\s?]+)\"?");

    /** What one column held across all rows of a stream. */
    static final class Column {
        final TreeSet<String> kinds = new TreeSet<>();
        long minIntegral = Long.MAX_VALUE;
        long maxIntegral = Long.MIN_VALUE;
        /** Every string value is an ISO-8601 instant (so the column may be declared datetime). */
        boolean allStringsAreInstants = true;

        void add(JsonNode value) {
            if (value == null || value.isNull()) {
                kinds.add("null");
            } else if (value.isIntegralNumber()) {
                kinds.add("integral");
                minIntegral = Math.min(minIntegral, value.asLong());
                maxIntegral = Math.max(maxIntegral, value.asLong());
            } else if (value.isNumber()) {
                kinds.add("fractional");
            } else if (value.isBoolean()) {
                kinds.add("boolean");
            } else if (value.isTextual()) {
                kinds.add("string");
                try {
                    Instant.parse(value.asText());
                } catch (DateTimeParseException e) {
                    allStringsAreInstants = false;
                }
            } else if (value.isObject()) {
                kinds.add("object");
            } else if (value.isArray()) {
                kinds.add("array");
            } else {
                kinds.add(value.getNodeType().name());
            }
        }

        /** Whether these values can go into a column of this type (Log Analytics names, any case). */
        boolean fits(String type) {
            String t = type.toLowerCase(java.util.Locale.ROOT);
            for (String kind : kinds) {
                boolean ok = switch (kind) {
                    case "null" -> true;
                    case "string" -> t.equals("string") || t.equals("dynamic")
                            || t.equals("datetime") && allStringsAreInstants;
                    case "integral" -> t.equals("long") || t.equals("real") || t.equals("dynamic")
                            || t.equals("int") && minIntegral >= Integer.MIN_VALUE && maxIntegral <= Integer.MAX_VALUE;
                    case "fractional" -> t.equals("real") || t.equals("dynamic");
                    case "boolean" -> t.equals("boolean") || t.equals("dynamic");
                    case "object", "array" -> t.equals("dynamic");
                    default -> false;
                };
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return kinds.toString();
        }
    }

    private static EmittedRows once;

    /** The rows of one demo run, made once for the tests of this JVM that read them. */
    static synchronized EmittedRows once() throws Exception {
        if (once == null) {
            once = new EmittedRows(Files.createTempDirectory("emitted-rows"));
        }
        return once;
    }

    /** A log type of routes/<name>.yaml and where its route sends rows. */
    record LogType(String name, String sink) {
        /** The stream it sends to with no environment variable set. */
        String defaultStream() {
            Matcher m = ENV_DEFAULT.matcher(sink);
            return m.matches() ? m.group(2) : sink;
        }
    }

    final List<LogType> logTypes;
    /** stream -> column -> what it held */
    final Map<String, Map<String, Column>> streams = new TreeMap<>();
    /** stream -> log types sending to it */
    final Map<String, List<String>> senders = new TreeMap<>();
    /** log types whose route sends to something other than a DCR stream (threat intelligence) */
    final Map<String, String> notDcr = new TreeMap<>();
    /** stream -> rows written */
    final Map<String, Integer> rowCounts = new TreeMap<>();
    /** stream -> the names the rows' AdditionalFields held */
    final Map<String, java.util.Set<String>> additionalFields = new TreeMap<>();

    private final ObjectMapper json = new ObjectMapper();

    private EmittedRows(Path work) throws Exception {
        logTypes = readLogTypes();
        Properties run = new Properties();
        run.put("run-once", "true");
        run.put("start-date", LocalDate.now(ZoneOffset.UTC).minusDays(1).toString());
        run.put("output.dir", work.resolve("out").toString());
        run.put("checkpoint.dir", work.resolve("checkpoints").toString());
        run.put("dead-letter.dir", work.resolve("dead-letter").toString());
        run.put("camel.management.enabled", "false");
        run.put("camel.metrics.enabled", "false");
        int status = Application.run(run);
        if (status != 0) {
            throw new IllegalStateException("the demo run over a day of simulated records failed: " + status);
        }
        for (LogType logType : logTypes) {
            if (!logType.defaultStream().startsWith("Custom-")) {
                notDcr.put(logType.name(), logType.defaultStream());
            } else {
                senders.computeIfAbsent(logType.defaultStream(), s -> new ArrayList<>()).add(logType.name());
            }
        }
        for (String stream : senders.keySet()) {
            Path file = work.resolve("out").resolve(stream + ".ndjson");
            Map<String, Column> columns = streams.computeIfAbsent(stream, s -> new TreeMap<>());
            int rows = 0;
            for (String line : Files.readAllLines(file)) {
                JsonNode row = json.readTree(line);
                row.fields().forEachRemaining(f -> columns.computeIfAbsent(f.getKey(), k -> new Column())
                        .add(f.getValue()));
                row.path("AdditionalFields").fieldNames().forEachRemaining(name -> additionalFields
                        .computeIfAbsent(stream, k -> new java.util.TreeSet<>()).add(name));
                rows++;
            }
            rowCounts.put(stream, rows);
        }
    }

    /** The log types: the routes/*.yaml files with a route from a mimecast: endpoint, and their sink. */
    static List<LogType> readLogTypes() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<LogType> logTypes = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                JsonNode items = yaml.readTree(file.toFile());
                for (JsonNode item : items) {
                    JsonNode route = item.path("route");
                    if (!route.path("from").path("uri").asText().startsWith("mimecast:")) {
                        continue;
                    }
                    Matcher sink = SINK.matcher(Files.readString(file));
                    if (!sink.find()) {
                        throw new IllegalStateException(file + ": no sentinel: step in its route");
                    }
                    logTypes.add(new LogType(route.path("id").asText(), sink.group(1)));
                }
            }
        }
        return logTypes;
    }
}
