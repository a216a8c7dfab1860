package com.mimecastsentinel.poll;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.mimecast.FileUrlExpiredException;
import com.mimecastsentinel.mimecast.MimecastException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SIEM batch log type (API 2.0 {@code /siem/v1/batch/events/...}), as declared by a {@code templatedRoute} of
 * the {@code mimecast-batch} template. A listing page names pre-signed gzip NDJSON files; each file is downloaded
 * (without the Authorization header), read and delivered one at a time. The checkpoint moves to {@code @nextPage}
 * only after every file of the page was delivered; files delivered whole are remembered meanwhile, and the ids of
 * the file in progress, so a restart neither skips nor re-sends. An expired URL (403/404) lists the page again.
 */
public class BatchLogType extends LogTypeBase {
    private static final Logger LOG = LoggerFactory.getLogger(BatchLogType.class);
    private static final int MAX_RELISTS = 3;
    static final String FILE_URL = "mcFileUrl";

    private String path;
    private String eventTypes;
    private Map<String, String> logtypes = Map.of();
    private int pageSize = 100;

    /** One page of the listing: the body becomes the URLs of its files not yet delivered. */
    public List<String> listPage(Exchange exchange) {
        LogTypeRun run = run(exchange);
        Checkpoint checkpoint = run.checkpoint;
        StringBuilder query = new StringBuilder(path).append("?type=").append(encode(eventTypes))
                .append("&pageSize=").append(pageSize);
        if (checkpoint.nextPage != null) {
            query.append("&nextPage=").append(encode(checkpoint.nextPage));
        } else {
            LocalDate day = LocalDate.ofInstant(checkpoint.startedFrom, ZoneOffset.UTC);
            query.append("&dateRangeStartsAt=").append(day);
        }
        JsonNode listing = mimecast().get(query.toString());
        run.nextToken = listing.path("@nextPage").asText(null);
        run.caughtUp = listing.path("isCaughtUp").asBoolean(false);
        run.pages++;
        List<String> files = new ArrayList<>();
        List<String> done = checkpoint.filesDone == null ? List.of() : checkpoint.filesDone;
        for (JsonNode file : listing.path("value")) {
            String url = file.path("url").asText(null);
            if (url != null && !done.contains(fileKey(url))) {
                files.add(url);
            }
        }
        run.relist = false;
        return files;
    }

    /**
     * Events per chunk of a file: a big file is delivered in parts, so memory does not grow with file size
     * (system property {@code mimecast.chunk-events} changes it, for tests of files of many chunks).
     */
    static final int CHUNK_EVENTS = 5000;

    /**
     * Downloads one file of the page; the body becomes its events in chunks of {@value #CHUNK_EVENTS}, read from
     * the gzip stream as the route asks for them (the compressed file is kept whole, for a dead letter).
     */
    public java.util.Iterator<List<ObjectNode>> fetchFile(Exchange exchange) {
        LogTypeRun run = run(exchange);
        String url = exchange.getMessage().getBody(String.class);
        exchange.setProperty(FILE_URL, url);
        run.fileKey = fileKey(url);
        if (run.relist) {
            return java.util.Collections.emptyIterator(); // an earlier URL expired: the rest of this listing too
        }
        if (stopping()) {
            run.stopped = true; // shutting down: the files left are read by the next run
            return java.util.Collections.emptyIterator();
        }
        byte[] compressed;
        try {
            compressed = mimecast().download(URI.create(url));
        } catch (FileUrlExpiredException e) {
            LOG.info("{}: {}; listing the page again", logType, e.getMessage());
            run.relist = true;
            return java.util.Collections.emptyIterator();
        }
        run.files++;
        return new FileChunks(run, compressed);
    }

    /** The events of one downloaded file, chunk by chunk: lines cut from 64 KB reads, parsed from their bytes. */
    private final class FileChunks implements java.util.Iterator<List<ObjectNode>> {
        private final LogTypeRun run;
        private final byte[] compressed;
        private InputStream in;
        private byte[] buffer = new byte[1 << 16];
        private int filled;
        private int number;
        private boolean ended;
        private List<ObjectNode> next;
        private final int chunkEvents = Integer.getInteger("mimecast.chunk-events", CHUNK_EVENTS);

        FileChunks(LogTypeRun run, byte[] compressed) {
            this.run = run;
            this.compressed = compressed;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !ended) {
                next = read();
            }
            return next != null;
        }

        @Override
        public List<ObjectNode> next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            List<ObjectNode> chunk = next;
            next = null;
            run.moreOfThisFile = hasNext(); // reads the following chunk ahead: two chunks in memory at most
            return chunk;
        }

        private List<ObjectNode> read() {
            List<ObjectNode> events = new ArrayList<>();
            try {
                if (in == null) {
                    in = new GZIPInputStream(new java.io.ByteArrayInputStream(compressed), 1 << 16);
                }
                while (events.size() < chunkEvents && !ended) {
                    if (filled == buffer.length) {
                        buffer = java.util.Arrays.copyOf(buffer, buffer.length * 2); // a line longer than that
                    }
                    int read = in.read(buffer, filled, buffer.length - filled);
                    int end = filled + Math.max(read, 0);
                    int start = 0;
                    for (int i = filled; i < end; i++) {
                        if (buffer[i] == '\n') {
                            if (i > start) {
                                handleLine(run, buffer, start, i - start, ++number, events);
                            }
                            start = i + 1;
                        }
                    }
                    if (read == -1) {
                        if (end > start) {
                            handleLine(run, buffer, start, end - start, ++number, events); // no newline at the end
                        }
                        start = end;
                        ended = true;
                    }
                    System.arraycopy(buffer, start, buffer, 0, end - start);
                    filled = end - start;
                }
            } catch (IOException e) {
                // a truncated or corrupt file: what could be read is delivered, the file itself is kept as it came
                ended = true;
                run.skipped++;
                services().deadLetters().put(logType, "unreadable gzip after line " + number + " (" + e
                        + "); the lines before it were delivered", run.fileKey, compressed);
            }
            run.fetched += events.size();
            return ended && events.isEmpty() ? null : events;
        }
    }

    private void handleLine(LogTypeRun run, byte[] buffer, int offset, int length, int number,
            List<ObjectNode> events) {
        try {
            JsonNode event = services().json().readTree(buffer, offset, length);
            if (event != null && event.isObject()) {
                events.add((ObjectNode) event);
                return;
            }
            if (event == null || event.isMissingNode()) {
                return; // a blank line
            }
        } catch (IOException e) {
            // reported below, with the reason
        }
        byte[] line = java.util.Arrays.copyOfRange(buffer, offset, offset + length);
        run.skipped++;
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(line)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            services().deadLetters().put(logType, "line " + number + " is not valid UTF-8", run.fileKey, line);
            return;
        }
        if (text.isBlank()) {
            run.skipped--;
            return;
        }
        services().deadLetters().put(logType, "line " + number + " is not a JSON object", run.fileKey, text);
    }

    /** After a file: remember it as delivered (its ids are no longer needed) and commit. */
    public void fileDone(Exchange exchange) {
        LogTypeRun run = run(exchange);
        if (run.relist || run.stopped) {
            return;
        }
        Checkpoint checkpoint = run.checkpoint;
        List<String> done = checkpoint.filesDone == null ? new ArrayList<>() : new ArrayList<>(checkpoint.filesDone);
        done.add(run.fileKey);
        checkpoint.filesDone = done;
        services().dedupe().reset(logType, Map.of());
        commit(run);
    }

    /** After every file of a page: move to {@code @nextPage} (kept even when the page was empty). */
    public void pageDone(Exchange exchange) {
        LogTypeRun run = run(exchange);
        if (run.stopped) {
            commit(run);
            continueIf(exchange, true);
            return;
        }
        if (run.relist) {
            if (++run.relists > MAX_RELISTS) {
                throw new MimecastException(logType + ": file URLs kept expiring after " + MAX_RELISTS
                        + " fresh listings", 403, true);
            }
            continueIf(exchange, true);
            return;
        }
        boolean moved = run.nextToken != null && !run.nextToken.equals(run.checkpoint.nextPage);
        if (moved) {
            run.checkpoint.nextPage = run.nextToken;
            run.checkpoint.filesDone = null; // a new page: its files are all still to read
            run.relists = 0;
        }
        commit(run);
        exchange.setProperty(MORE, moved && !run.caughtUp);
    }

    @Override
    protected boolean plan(LogTypeRun run) {
        Checkpoint checkpoint = run.checkpoint;
        if (checkpoint.startedFrom == null) {
            Instant earliest = services().clock().instant().minus(retention);
            Instant start = firstStart();
            checkpoint.startedFrom = start.isBefore(earliest) ? earliest : start;
        }
        return run.until == null || checkpoint.startedFrom.isBefore(run.until);
    }

    @Override
    protected boolean wanted(LogTypeRun run, Instant eventTime) {
        // a backfill lists on to the newest file (listings have no end date) but keeps only its days
        return !eventTime.isBefore(run.checkpoint.startedFrom) && super.wanted(run, eventTime);
    }

    @Override
    protected void holdPosition(LogTypeRun run) {
        // position (nextPage, filesDone) unchanged: the commit adds the ids of the file in progress
    }

    @Override
    protected void enrich(ObjectNode row, ObjectNode record) {
        String type = record.path("type").asText("");
        row.put("Logtype", logtypes.getOrDefault(type, type));
    }

    @Override
    protected String describePosition(Checkpoint checkpoint) {
        if (checkpoint == null) {
            return "none";
        }
        return (checkpoint.nextPage == null ? "first listing from " + checkpoint.startedFrom : "nextPage token")
                + (checkpoint.filesDone == null ? "" : ", " + checkpoint.filesDone.size() + " files of the page done");
    }

    /** The object's path: stable across listings, unlike the signature in the query. */
    static String fileKey(String url) {
        return URI.create(url).getPath();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ---- properties set from the template's parameters ----

    public void setPath(String path) {
        this.path = path;
    }

    /** Comma list of event types asked for in one listing. */
    public void setEventTypes(String eventTypes) {
        this.eventTypes = eventTypes;
    }

    /** {@code type=Logtype} pairs, comma separated: the value of the {@code Logtype} column per event type. */
    public void setLogtypes(String pairs) {
        this.logtypes = pairs(pairs);
    }

    public void setPageSize(int pageSize) {
        this.pageSize = pageSize;
    }
}
