package com.mimecastsentinel.poll;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.mimecast.MimecastClient;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIEM logs through API 1.0 ({@code /api/audit/get-siem-logs}), as declared by a {@code templatedRoute} of the
 * {@code mimecast-poll} template: each call returns one zip file (JSON format) and the next position in the
 * {@code mc-siem-token} header; a JSON answer means caught up. The event type comes from the file name. A corrupt
 * file is logged with its name and passed over, so a bad file never stalls the stream.
 */
public class SiemFileLogType extends LogTypeBase {
    private static final Logger LOG = LoggerFactory.getLogger(SiemFileLogType.class);
    static final String TOKEN_HEADER = "mc-siem-token";
    private static final Pattern FILE_NAME = Pattern.compile("filename=\"?([^\";]+)\"?");

    private String path;
    private Map<String, String> logtypes = Map.of();

    @Override
    protected boolean plan(LogTypeRun run) {
        if (run.until != null) {
            throw new com.mimecastsentinel.config.ConfigurationException("MIMECAST_LOG_TYPES", "names " + logType
                    + ", which cannot be backfilled: the API 1.0 SIEM stream moves by token, not by date");
        }
        return true;
    }

    /** One file: the body becomes its events, each with the file's event type. */
    public List<ObjectNode> fetchPage(Exchange exchange) {
        LogTypeRun run = run(exchange);
        ObjectNode body = services().json().createObjectNode();
        ObjectNode filter = body.putArray("data").addObject();
        filter.put("type", "MTA").put("fileFormat", "json").put("compress", true);
        if (run.checkpoint.nextPage != null) {
            filter.put("token", run.checkpoint.nextPage);
        }
        MimecastClient.Reply reply = mimecast().postForReply(path, body);
        run.pages++;
        if (!reply.isFile()) {
            run.caughtUp = true; // a JSON answer without failure: nothing more yet
            run.nextToken = null;
            return List.of();
        }
        run.caughtUp = false;
        run.nextToken = reply.headers().firstValue(TOKEN_HEADER).filter(t -> !t.isBlank()).orElse(null);
        String fileName = reply.headers().firstValue("Content-Disposition").map(FILE_NAME::matcher)
                .filter(Matcher::find).map(m -> m.group(1)).orElse("unnamed");
        run.fileKey = fileName;
        try {
            List<ObjectNode> events = read(reply.file(), logtypeOf(fileName));
            run.files++;
            run.fetched += events.size();
            return events;
        } catch (IOException | RuntimeException e) {
            // a truncated or corrupt file must not stall the stream for days: report it and move on
            run.skipped.increment();
            LOG.error("{}: file {} ({} bytes) is corrupt and was passed over: {}", logType, fileName,
                    reply.file().length, e.toString());
            services().deadLetters().put(logType, "corrupt SIEM file: " + e, fileName, reply.file());
            return List.of();
        }
    }

    private List<ObjectNode> read(byte[] zip, String logtype) throws IOException {
        List<ObjectNode> events = new ArrayList<>();
        boolean sawEntry = false;
        try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                sawEntry = true;
                JsonNode member = services().json().readTree(nonClosing(entries));
                for (JsonNode event : member.path("data")) {
                    if (event.isObject()) {
                        ObjectNode copy = (ObjectNode) event;
                        copy.put("Logtype", logtype);
                        events.add(copy);
                    }
                }
            }
        }
        if (!sawEntry) {
            throw new IOException("not a zip file or no entries");
        }
        return events;
    }

    private static InputStream nonClosing(InputStream in) {
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() {
                // the zip stream stays open for the next entry
            }
        };
    }

    /** The event type is the file name's prefix: {@code receipt_…}, {@code ttp_url_…}, {@code jrnl_…}. */
    String logtypeOf(String fileName) {
        String base = fileName.toLowerCase(java.util.Locale.ROOT);
        return logtypes.entrySet().stream().filter(e -> base.startsWith(e.getKey() + "_"))
                .max(java.util.Comparator.comparingInt(e -> e.getKey().length())).map(Map.Entry::getValue)
                .orElse(base.replaceAll("_.*", ""));
    }

    /** After a file: commit the next token; its ids are no longer needed. */
    public void pageDone(Exchange exchange) {
        LogTypeRun run = run(exchange);
        awaitDelivery(run);
        boolean moved = run.nextToken != null && !run.nextToken.equals(run.checkpoint.nextPage);
        if (moved) {
            run.checkpoint.nextPage = run.nextToken;
            services().dedupe().reset(logType, Map.of());
        }
        commit(run);
        continueIf(exchange, moved && !run.caughtUp);
    }

    @Override
    protected Runnable positionAfter(LogTypeRun run, long position) {
        return () -> { }; // token unchanged: the commit adds the ids of the file in progress
    }

    @Override
    protected String describePosition(Checkpoint checkpoint) {
        return checkpoint == null || checkpoint.nextPage == null ? "first file" : "mc-siem-token";
    }

    // ---- properties set from the YAML ----

    public void setPath(String path) {
        this.path = path;
    }

    /** {@code filePrefix=Logtype} pairs, comma separated. */
    public void setLogtypes(String pairs) {
        this.logtypes = pairs(pairs);
    }
}
