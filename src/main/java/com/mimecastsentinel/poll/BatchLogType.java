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
import java.util.Set;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.mimecast.FileUrlExpiredException;
import com.mimecastsentinel.mimecast.MimecastException;
import com.mimecastsentinel.sentinel.RowBatcher;
import com.mimecastsentinel.transform.RowMapper;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SIEM batch log type (API 2.0 {@code /siem/v1/batch/events/...}), as declared by a {@code templatedRoute} of
 * the {@code mimecast-batch} template. A listing page names pre-signed gzip NDJSON files; each file is downloaded
 * (without the Authorization header), read and delivered one at a time. The checkpoint moves to {@code @nextPage}
 * only after every file of the page was delivered; files delivered whole are remembered meanwhile, and how many
 * lines of the file in progress, so a restart neither skips nor re-sends. An expired URL (403/404) lists the page again.
 */
public class BatchLogType extends LogTypeBase {
    private static final Logger LOG = LoggerFactory.getLogger(BatchLogType.class);
    private static final int MAX_RELISTS = 3;
    static final String FILE_URL = "mcFileUrl";
    private static final String LOGTYPE = "Logtype";

    private String path;
    private String eventTypes;
    private Map<String, String> logtypes = Map.of();
    private int pageSize = 100;
    private java.util.concurrent.ExecutorService downloadThread;

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
        run.resume = checkpoint.fileInProgress;
        run.listed = files;
        return files;
    }

    /**
     * Downloads one file of the page; the body becomes the batches to send from it, made while they are sent from
     * the gzip stream, line by line (the compressed file is kept whole, for a dead letter). A file a restart
     * finds partly delivered resumes after its last delivered line.
     */
    public java.util.Iterator<RowBatcher.Batch> fetchFile(Exchange exchange) {
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
            compressed = download(run, url);
        } catch (FileUrlExpiredException e) {
            LOG.info("{}: {}; listing the page again", logType, e.getMessage());
            run.relist = true;
            return java.util.Collections.emptyIterator();
        }
        int index = exchange.getProperty(Exchange.SPLIT_INDEX, 0, Integer.class);
        if (run.listed != null && index + 1 < run.listed.size()) {
            String next = run.listed.get(index + 1);
            run.downloadAhead = new DownloadAhead(next, java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> mimecast().download(URI.create(next)), downloadThread()));
        }
        run.files++;
        if (!run.keepLoadedIds) {
            // the ids of a file serve to drop an event repeated inside it; those of the file before are not needed
            services().dedupe().reset(logType, Map.of());
        }
        Checkpoint.FilePosition resume = run.resume;
        long delivered = resume != null && run.fileKey.equals(resume.file) ? resume.lines : 0;
        return newBatches(run, new FileRows(run, compressed, delivered));
    }

    /**
     * The file, from the download begun while the file before was read (a pre-signed download takes a round trip
     * to cloud storage; the route does not wait for it twice) or downloaded now.
     */
    private byte[] download(LogTypeRun run, String url) {
        DownloadAhead ahead = run.downloadAhead;
        run.downloadAhead = null;
        if (ahead != null && ahead.url().equals(url)) {
            return DeliveryLine.join(ahead.file());
        }
        if (ahead != null) {
            ahead.file().cancel(true);
        }
        return mimecast().download(URI.create(url));
    }

    /** The next file of the listing, downloading. */
    record DownloadAhead(String url, java.util.concurrent.CompletableFuture<byte[]> file) {
    }

    private synchronized java.util.concurrent.ExecutorService downloadThread() {
        if (downloadThread == null) {
            downloadThread = getCamelContext().getExecutorServiceManager().newSingleThreadExecutor(this,
                    logType + "-download");
        }
        return downloadThread;
    }

    /**
     * The rows of one downloaded file: lines cut from 64 KB reads, each written as a row straight from its bytes
     * ({@link com.mimecastsentinel.transform.RowWriter}), one at a time. Lines up to {@code delivered} were
     * delivered by an earlier run: their ids are remembered (an event repeated later in the file stays a
     * duplicate), they are not sent.
     */
    private final class FileRows extends LookAhead<RowMapper.Row> implements NewBatches.Rows {
        private final LogTypeRun run;
        private final byte[] compressed;
        private final long delivered;
        private final com.mimecastsentinel.transform.RowWriter writer = rowWriter(Set.of("type"), Set.of(LOGTYPE),
                values -> Map.of(LOGTYPE, logtypeOf(values.path("type").asText(""))));
        private InputStream in;
        private byte[] buffer = new byte[1 << 16];
        private int filled;
        private int scanned;
        private int lineStart;
        private long number;
        private long position;
        private boolean ended;

        FileRows(LogTypeRun run, byte[] compressed, long delivered) {
            this.run = run;
            this.compressed = compressed;
            this.delivered = delivered;
        }

        @Override
        protected RowMapper.Row compute() {
            while (!ended) {
                RowMapper.Row row = read();
                if (row != null) {
                    return row;
                }
            }
            return null;
        }

        @Override
        public RowMapper.Row next() {
            RowMapper.Row row = super.next();
            position = number; // no line was read since this row's
            run.fetched++;
            return row;
        }

        @Override
        public long position() {
            return position;
        }

        /** The next line's row, or null for a line without one (or at the end). */
        private RowMapper.Row read() {
            try {
                if (in == null) {
                    in = new GZIPInputStream(new java.io.ByteArrayInputStream(compressed), 1 << 16);
                }
                for (int i = scanned; i < filled; i++) {
                    if (buffer[i] == '\n') {
                        scanned = i + 1;
                        int start = lineStart;
                        lineStart = i + 1;
                        return i > start ? line(start, i - start) : null;
                    }
                }
                // no whole line left: keep the partial one at the start of the buffer and read on
                System.arraycopy(buffer, lineStart, buffer, 0, filled - lineStart);
                filled -= lineStart;
                scanned = filled;
                lineStart = 0;
                if (filled == buffer.length) {
                    buffer = java.util.Arrays.copyOf(buffer, buffer.length * 2); // a line longer than that
                }
                int read = in.read(buffer, filled, buffer.length - filled);
                if (read > 0) {
                    filled += read;
                    return null;
                }
                ended = true;
                return filled > 0 ? line(0, filled) : null; // no newline at the end
            } catch (IOException e) {
                // a truncated or corrupt file: what could be read is delivered, the file itself is kept as it came
                ended = true;
                run.skipped.increment();
                services().deadLetters().put(logType, "unreadable gzip after line " + number + " (" + e
                        + "); the lines before it are delivered", run.fileKey, compressed);
                return null;
            }
        }

        private RowMapper.Row line(int offset, int length) {
            boolean again = ++number <= delivered;
            RowMapper.Row row = rowOf(run, writer, buffer, offset, length, number, again);
            if (row != null && again) {
                services().dedupe().delivered(logType, row.eventId(), row.eventTime().getEpochSecond());
                return null;
            }
            return row;
        }
    }

    /**
     * One line's row; null for a blank line or one that is not a JSON object (dead-lettered with the reason,
     * unless {@code again}: a line an earlier run read already).
     */
    private RowMapper.Row rowOf(LogTypeRun run, com.mimecastsentinel.transform.RowWriter writer, byte[] buffer,
            int offset, int length, long number, boolean again) {
        try {
            RowMapper.Row row = writer.write(buffer, offset, length);
            if (row != null) {
                return row;
            }
        } catch (IOException e) {
            // reported below, with the reason
        }
        if (again) {
            return null;
        }
        byte[] line = java.util.Arrays.copyOfRange(buffer, offset, offset + length);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(line)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            run.skipped.increment();
            services().deadLetters().put(logType, "line " + number + " is not valid UTF-8", run.fileKey, line);
            return null;
        }
        if (!text.isBlank()) {
            run.skipped.increment();
            services().deadLetters().put(logType, "line " + number + " is not a JSON object", run.fileKey, text);
        }
        return null;
    }

    /**
     * After a file: once its last batch is acknowledged, remember it as delivered and commit (on the delivery
     * thread, so the route reads the next file meanwhile).
     */
    public void fileDone(Exchange exchange) {
        LogTypeRun run = run(exchange);
        if (run.relist || run.stopped) {
            return;
        }
        String file = run.fileKey;
        run.keepLoadedIds = false; // the file an older checkpoint held ids of is done (it is the first one read)
        afterDelivery(run, () -> {
            Checkpoint checkpoint = run.checkpoint;
            List<String> done = checkpoint.filesDone == null ? new ArrayList<>()
                    : new ArrayList<>(checkpoint.filesDone);
            done.add(file);
            checkpoint.filesDone = done;
            checkpoint.fileInProgress = null;
            commit(run);
        });
    }

    /** After every file of a page: move to {@code @nextPage} (kept even when the page was empty). */
    public void pageDone(Exchange exchange) {
        LogTypeRun run = run(exchange);
        awaitDelivery(run);
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
            run.checkpoint.fileInProgress = null;
            run.relists = 0;
        }
        commit(run);
        exchange.setProperty(MORE, moved && !run.caughtUp);
    }

    @Override
    protected boolean plan(LogTypeRun run) {
        Checkpoint checkpoint = run.checkpoint;
        // written by a version that kept the ids of the file in progress, not its line
        run.keepLoadedIds = checkpoint.fileInProgress == null && checkpoint.recentEventIds != null
                && !checkpoint.recentEventIds.isEmpty();
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
    protected Runnable positionAfter(LogTypeRun run, long position) {
        Checkpoint.FilePosition filePosition = new Checkpoint.FilePosition(run.fileKey, position);
        return () -> run.checkpoint.fileInProgress = filePosition;
    }

    @Override
    protected boolean keepsDeliveredIds() {
        return false; // files are immutable: the line delivered up to says what was sent, no ids needed
    }

    @Override
    protected void enrich(ObjectNode row, ObjectNode record) {
        row.put(LOGTYPE, logtypeOf(record.path("type").asText("")));
    }

    /** The Logtype column of an event type: as the Function App connector named them. */
    private String logtypeOf(String type) {
        return logtypes.getOrDefault(type, type);
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
