package com.mimecastsentinel.deploy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.mimecastsentinel.ConnectorServices;
import com.mimecastsentinel.poll.BatchLogType;
import com.mimecastsentinel.poll.LogTypeBase;
import com.mimecastsentinel.poll.PagedLogType;
import com.mimecastsentinel.poll.SiemFileLogType;
import com.mimecastsentinel.poll.ThreatFeedLogType;
import com.mimecastsentinel.simulator.BatchFeeds;
import com.mimecastsentinel.simulator.MimecastSimulator;
import com.mimecastsentinel.simulator.PagedFeeds;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PropertyBindingSupport;

/**
 * The rows the connector sends, per stream: every log type declared in routes/*.yaml, its {@code handler} bean
 * built from the file's properties as Camel builds it, fed a day of the simulator's records (which carry exactly
 * the documented fields of each log type), each record turned into a row by the handler's own {@code map} (SIEM
 * batch files go through {@code RowWriter} instead, which makes the same row: RowWriterTest).
 * What is collected is every column with the JSON kinds of value it held.
 */
final class EmittedRows {
    /** {@code {{env:NAME:default}}}: the stream a log type sends to unless its variable says otherwise. */
    static final Pattern ENV_DEFAULT = Pattern.compile("\\{\\{env:([A-Za-z0-9_]+):([^}]*)}}");
    private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-01-02T00:00:00Z");
    private static final Duration INTERVAL = Duration.ofMinutes(5);

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

        @Override
        public String toString() {
            return kinds.toString();
        }
    }

    /** A log type as routes/<name>.yaml declares it. */
    record LogType(String name, String handlerClass, Map<String, String> properties) {
        /** The stream the handler sends to with no environment variable set. */
        String defaultStream() {
            String stream = properties.get("stream");
            Matcher m = ENV_DEFAULT.matcher(stream);
            return m.matches() ? m.group(2) : stream;
        }
    }

    final List<LogType> logTypes;
    /** stream -> column -> what it held */
    final Map<String, Map<String, Column>> streams = new TreeMap<>();
    /** stream -> log types sending to it */
    final Map<String, List<String>> senders = new TreeMap<>();
    /** log types whose handler sends to something other than a DCR stream (threat intelligence) */
    final Map<String, String> notDcr = new TreeMap<>();
    final Map<String, Integer> rowCounts = new TreeMap<>();

    private final ObjectMapper json = new ObjectMapper();
    private final CamelContext camel = new DefaultCamelContext();

    EmittedRows() throws Exception {
        logTypes = readLogTypes();
        camel.getRegistry().bind(ConnectorServices.BEAN, new ConnectorServices(null, null, null, null, null, null,
                null, java.time.Clock.systemUTC(), json, null, null, null));
        for (LogType logType : logTypes) {
            LogTypeBase handler = handler(logType);
            if (handler instanceof ThreatFeedLogType) {
                // STIX objects upload API, not the Logs Ingestion API: no stream in the DCR
                notDcr.put(logType.name(), handler.getStream());
                continue;
            }
            List<ObjectNode> records = records(logType, handler);
            if (records.isEmpty()) {
                throw new IllegalStateException(logType.name() + ": the simulator produced no records");
            }
            Map<String, Column> columns = streams.computeIfAbsent(handler.getStream(), s -> new TreeMap<>());
            senders.computeIfAbsent(handler.getStream(), s -> new ArrayList<>()).add(logType.name());
            for (ObjectNode record : records) {
                ObjectNode row = toRow(handler, record);
                row.fields().forEachRemaining(f -> columns.computeIfAbsent(f.getKey(), k -> new Column())
                        .add(f.getValue()));
            }
            rowCounts.put(logType.name(), records.size());
        }
    }

    static List<LogType> readLogTypes() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<LogType> logTypes = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                JsonNode items = yaml.readTree(file.toFile());
                Map<String, JsonNode> beans = new HashMap<>();
                for (JsonNode item : items) {
                    item.path("beans").forEach(bean -> beans.put(bean.path("name").asText(), bean));
                }
                for (JsonNode item : items) {
                    JsonNode route = item.path("templatedRoute");
                    if (route.isMissingNode()) {
                        continue;
                    }
                    String handlerName = null;
                    for (JsonNode parameter : route.path("parameters")) {
                        if ("handler".equals(parameter.path("name").asText())) {
                            handlerName = parameter.path("value").asText();
                        }
                    }
                    JsonNode bean = beans.get(handlerName);
                    if (bean == null) {
                        throw new IllegalStateException(file + ": handler bean '" + handlerName + "' not declared");
                    }
                    Map<String, String> properties = new LinkedHashMap<>();
                    bean.path("properties").fields().forEachRemaining(p -> properties.put(p.getKey(),
                            p.getValue().asText()));
                    logTypes.add(new LogType(route.path("routeId").asText(),
                            bean.path("type").asText().replaceFirst("^#class:", ""), properties));
                }
            }
        }
        return logTypes;
    }

    /** The handler bean as Camel builds it from the file, with the stream's default (no variable set). */
    private LogTypeBase handler(LogType logType) throws Exception {
        LogTypeBase handler = (LogTypeBase) Class.forName(logType.handlerClass()).getDeclaredConstructor()
                .newInstance();
        Map<String, Object> properties = new HashMap<>(logType.properties());
        properties.put("stream", logType.defaultStream());
        PropertyBindingSupport.build().withCamelContext(camel).withTarget(handler).withProperties(properties)
                .withRemoveParameters(false).bind();
        handler.setCamelContext(camel);
        return handler;
    }

    /** A day of the simulator's records for the log type, as the handler receives them. */
    private List<ObjectNode> records(LogType logType, LogTypeBase handler) throws Exception {
        String path = logType.properties().get("path");
        if (handler instanceof PagedLogType) {
            return PagedFeeds.all(json, INTERVAL).get(path).events().between(FROM, TO);
        }
        if (handler instanceof BatchLogType) {
            return BatchFeeds.all(json, INTERVAL).get(path).events().between(FROM, TO);
        }
        if (handler instanceof SiemFileLogType legacy) {
            return legacyRecords(legacy);
        }
        throw new IllegalStateException(logType.name() + ": no simulated records for handler "
                + logType.handlerClass() + "; teach EmittedRows where its records come from");
    }

    /**
     * SIEM 1.0: the simulator's events in files of one kind each ({@code receipt_…}, {@code process_…},
     * {@code jrnl_…}) as the API serves them, read by the handler's own zip reader (which adds Logtype).
     */
    private List<ObjectNode> legacyRecords(SiemFileLogType handler) throws Exception {
        Map<String, List<ObjectNode>> byKind = new TreeMap<>();
        for (ObjectNode event : new MimecastSimulator(0, INTERVAL, null).legacyEvents(FROM, TO)) {
            String kind = event.remove("kind").asText();
            byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(event);
        }
        Method logtypeOf = SiemFileLogType.class.getDeclaredMethod("logtypeOf", String.class);
        Method read = SiemFileLogType.class.getDeclaredMethod("read", byte[].class, String.class);
        logtypeOf.setAccessible(true);
        read.setAccessible(true);
        List<ObjectNode> records = new ArrayList<>();
        String hour = DateTimeFormatter.ofPattern("yyyyMMddHH").withZone(ZoneOffset.UTC).format(FROM);
        for (var kind : byKind.entrySet()) {
            String name = kind.getKey() + "_" + hour;
            ObjectNode member = json.createObjectNode().put("type", "MTA");
            kind.getValue().forEach(member.putArray("data")::add);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                zip.putNextEntry(new ZipEntry(name + ".json"));
                zip.write(json.writeValueAsBytes(member));
                zip.closeEntry();
            }
            @SuppressWarnings("unchecked")
            List<ObjectNode> read0 = (List<ObjectNode>) read.invoke(handler, bytes.toByteArray(),
                    logtypeOf.invoke(handler, name + ".zip"));
            records.addAll(read0);
        }
        return records;
    }

    /** The handler's own record-to-row step. */
    private ObjectNode toRow(LogTypeBase handler, ObjectNode record) throws Exception {
        Method map = LogTypeBase.class.getDeclaredMethod("map", ObjectNode.class);
        map.setAccessible(true);
        return ((com.mimecastsentinel.transform.RowMapper.Row) map.invoke(handler, record.deepCopy())).fields();
    }
}
