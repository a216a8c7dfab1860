package com.mimecastsentinel.source;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.config.ConfigurationException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIEM logs through API 1.0 ({@code POST /api/audit/get-siem-logs}): each call answers one zip file (JSON format)
 * with the next position in the {@code mc-siem-token} header; a JSON answer means caught up. A file is one batch; its
 * events get the {@code Logtype} of the file's kind (its name's prefix). A corrupt file goes to the dead letters and
 * the stream moves on, so a bad file never stalls it.
 */
public class SiemFileSource extends PageSource {
    private static final Logger LOG = LoggerFactory.getLogger(SiemFileSource.class);
    static final String TOKEN_HEADER = "mc-siem-token";
    private static final Pattern FILE_NAME = Pattern.compile("filename=\"?([^\";]+)\"?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private String path;
    private Map<String, String> logtypes = new LinkedHashMap<>();

    @Override
    protected boolean plan(SourceRun run) {
        if (run.until != null) {
            throw new ConfigurationException("MIMECAST_LOG_TYPES", "names " + run.logType
                    + ", which cannot be backfilled: the API 1.0 SIEM stream moves by token, not by date");
        }
        return true;
    }

    /** The request for the next file ({@code MTA} events, JSON, zipped, from the token). */
    @Override
    protected MimecastRequest request(SourceRun run) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode filter = body.putArray("data").addObject();
        filter.put("type", "MTA").put("fileFormat", "json").put("compress", true);
        if (run.checkpoint.nextPage != null) {
            filter.put("token", run.checkpoint.nextPage);
        }
        return MimecastRequest.post(path, body);
    }

    /** The file's events, each with the file's Logtype; the next token noted. */
    @Override
    protected List<ObjectNode> records(SourceRun run, Exchange exchange) {
        Object answer = exchange.getMessage().getBody();
        run.pages++;
        if (answer instanceof JsonNode) {
            run.caughtUp = true; // a JSON answer without failure: nothing more yet
            run.nextToken = null;
            return List.of();
        }
        byte[] file = exchange.getMessage().getBody(byte[].class);
        run.caughtUp = false;
        run.nextToken = pageToken(run, MimecastCallAnswer.header(exchange, TOKEN_HEADER));
        String disposition = MimecastCallAnswer.header(exchange, "Content-Disposition");
        Matcher name = disposition == null ? null : FILE_NAME.matcher(disposition);
        String fileName = name != null && name.find() ? name.group(1) : "unnamed";
        run.fileKey = fileName;
        mustHoldLease(run);
        MimecastAnswer.TooLarge tooLarge = exchange.getVariable(MimecastAnswer.TOO_LARGE, MimecastAnswer.TooLarge.class);
        if (tooLarge != null) {
            run.skipped.increment();
            services().deadLetters().put(run.logType, "SIEM file bigger than MIMECAST_MAX_ANSWER_BYTES ("
                    + services().settings().maxAnswerBytes + " bytes)" + (tooLarge.whole() ? ""
                            : "; its size and SHA-256 are of its first " + tooLarge.size() + " bytes"),
                    fileName, file, tooLarge.size(), tooLarge.sha256());
            return List.of();
        }
        try {
            List<ObjectNode> events = read(file, logtypeOf(fileName), services().settings().maxAnswerBytes);
            run.files++;
            run.fetched.add(events.size());
            return events;
        } catch (IOException | RuntimeException e) {
            // a truncated, corrupt or oversized file must not stall the stream for days: report it and move on
            run.skipped.increment();
            LOG.error("{}: file {} ({} bytes) is corrupt and was passed over: {}", run.logType, fileName, file.length,
                    e.toString());
            services().deadLetters().put(run.logType, "corrupt SIEM file: " + e, fileName, file);
            return List.of();
        }
    }

    /** After a file: its token is the checkpoint's (committed next); its ids are not needed any more. */
    @Override
    protected boolean pageDone(SourceRun run) {
        boolean moved = run.nextToken != null && !run.nextToken.equals(run.checkpoint.nextPage);
        if (moved) {
            run.checkpoint.nextPage = run.nextToken;
            services().checkpoints().forgetIds(run.logType);
        }
        return moved && !run.caughtUp;
    }

    /** A file's batch names the file. */
    @Override
    protected Batch page(SourceRun run, List<ObjectNode> records) {
        return super.page(run, records).with(Batch.FILE, run.caughtUp ? null : run.fileKey);
    }

    private static List<ObjectNode> read(byte[] zip, String logtype, long maxBytes) throws IOException {
        List<ObjectNode> events = new ArrayList<>();
        boolean sawEntry = false;
        try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(zip))) {
            InputStream bounded = new BoundedInputStream(entries, maxBytes,
                    "its members inflate beyond MIMECAST_MAX_ANSWER_BYTES (" + maxBytes + " bytes)");
            for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                sawEntry = true;
                JsonNode member = JSON.readTree(nonClosing(bounded));
                for (JsonNode event : member.path("data")) {
                    if (event.isObject()) {
                        ((ObjectNode) event).put("Logtype", logtype);
                        events.add((ObjectNode) event);
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
        return new FilterInputStream(in) {
            @Override
            public void close() {
                // the zip stream stays open for the next entry
            }
        };
    }

    /** The event type is the file name's prefix: {@code receipt_…}, {@code ttp_url_…}, {@code jrnl_…}. */
    String logtypeOf(String fileName) {
        String base = fileName.toLowerCase(Locale.ROOT);
        return logtypes.entrySet().stream().filter(e -> base.startsWith(e.getKey() + "_"))
                .max(Comparator.comparingInt(e -> e.getKey().length())).map(Map.Entry::getValue)
                .orElse(base.replaceAll("_.*", ""));
    }

    // ---- properties, from the route file ----

    public void setPath(String path) {
        this.path = path;
    }

    /** File name prefix to Logtype value. */
    public void setLogtypes(Map<String, String> logtypes) {
        this.logtypes = new LinkedHashMap<>(logtypes);
    }

    public Map<String, String> getLogtypes() {
        return logtypes;
    }
}
