package com.mimecastsentinel.source;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.sentinel.SentinelComponent;
import com.mimecastsentinel.transform.Lines;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SIEM batch endpoint of API 2.0 ({@code GET /siem/v1/batch/events/cg} or {@code /ci}). A listing page names
 * pre-signed gzip NDJSON files; each is downloaded as a stream and cut into chunks of lines of about 1 MB once
 * mapped ({@link #chunks}), each chunk one batch. The checkpoint keeps how many lines of the file in progress were
 * delivered, the files of the page delivered whole, and moves to {@code @nextPage} once all of the page's files
 * are; a restart neither skips nor sends again. An expired file URL (403/404) lists the page again.
 */
public class BatchSource extends MimecastSource {
    private static final Logger LOG = LoggerFactory.getLogger(BatchSource.class);
    private static final int MAX_RELISTS = 3;
    /** The variable holding the file URL being read. */
    public static final String FILE_URL = "mimecastFileUrl";

    private String path;
    private String eventTypes;
    private int pageSize = 100;

    @Override
    protected boolean plan(SourceRun run) {
        Checkpoint checkpoint = run.checkpoint;
        // a file position says what was delivered: no ids in the checkpoint, except those of a checkpoint written
        // by a version that kept the ids of the file in progress instead of its line, until that file is done
        run.keepLoadedIds = checkpoint.fileInProgress == null && checkpoint.recentEventIds != null
                && !checkpoint.recentEventIds.isEmpty();
        run.persistIds = run.keepLoadedIds;
        run.rememberIds = false; // a line position says what was sent: no ids, however big the backlog
        if (checkpoint.startedFrom == null) {
            Instant earliest = services().clock().instant().minus(retention);
            Instant start = firstStart();
            checkpoint.startedFrom = start.isBefore(earliest) ? earliest : start;
        }
        // the first day is listed whole: its events before the start are not sent
        run.keepFrom = checkpoint.startedFrom;
        return run.until == null || checkpoint.startedFrom.isBefore(run.until);
    }

    /** The next listing call: the event types, and the next page token (or the first day). */
    public void listing(Exchange exchange) {
        SourceRun run = run(exchange);
        Checkpoint checkpoint = run.checkpoint;
        StringBuilder query = new StringBuilder("type=").append(encode(eventTypes)).append("&pageSize=")
                .append(pageSize);
        if (checkpoint.nextPage != null) {
            query.append("&nextPage=").append(encode(checkpoint.nextPage));
        } else {
            query.append("&dateRangeStartsAt=").append(LocalDate.ofInstant(checkpoint.startedFrom, ZoneOffset.UTC));
        }
        call(exchange, "GET", path, query.toString());
    }

    /** The body: the URLs of the listing page's files not delivered yet; the next page token is noted. */
    public List<String> files(Exchange exchange) {
        SourceRun run = run(exchange);
        JsonNode listing = exchange.getMessage().getBody(JsonNode.class);
        Checkpoint checkpoint = run.checkpoint;
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
        mustHoldLease(run);
        run.listed = files;
        return files;
    }

    /**
     * The split over the listing page's files (the body): their lines in chunks, read as the route asks for them.
     * The files are downloaded one after the other (through the Mimecast download route), after the lines an earlier
     * run delivered; each chunk's lines make about one request's worth of rows once mapped (what a row adds to its
     * line is learnt from the chunks before), across file ends; the next chunk is read while the route sends this
     * one.
     */
    public Iterator<Lines> chunks(Exchange exchange) {
        SourceRun run = run(exchange);
        @SuppressWarnings("unchecked")
        List<String> urls = exchange.getMessage().getBody(List.class);
        SentinelComponent sentinel = getCamelContext().getComponent("sentinel", SentinelComponent.class);
        int maxBytes = sentinel == null ? SentinelComponent.DEFAULT_MAX_BYTES : sentinel.maxBytes();
        // chunks are cut to make about 97 % of a request once mapped: a line counts its bytes and what its row adds
        return new FileChunks(getCamelContext(), run, urls, new FileChunks.Source() {
            @Override
            public String keyOf(String url) {
                return fileKey(url);
            }

            @Override
            public void expired(SourceRun expiredRun) {
                relist(expiredRun);
            }

            @Override
            public void damaged(SourceRun damagedRun, String url, long line, String reason) {
                deadLetterFile(damagedRun, url, line, reason);
            }
        }, (int) (maxBytes * 0.97), () -> (int) run.rowOverhead, this::stopping);
    }

    /**
     * After a chunk was delivered: the files that ended in it are done, and the file of its last line is in progress
     * up to that line (committed next).
     */
    public void chunkDone(Exchange exchange) {
        SourceRun run = run(exchange);
        Lines chunk = exchange.getVariable("chunk", Lines.class);
        long rowBytes = run.bytesSinceChunk.sumThenReset();
        long rows = run.rowsSinceChunk.sumThenReset();
        long lines = run.linesSinceChunk.sumThenReset();
        long lineBytes = run.lineBytesSinceChunk.sumThenReset();
        if (rows > 0 && lines > 0) {
            // the rows' bytes less the bytes of the lines they came from (about, where lines were dropped)
            double rowLineBytes = (double) lineBytes * rows / lines;
            run.rowOverhead = Math.max(0, 0.5 * run.rowOverhead + 0.5 * (rowBytes - rowLineBytes) / rows);
        }
        Checkpoint checkpoint = run.checkpoint;
        if (!chunk.getFilesEnded().isEmpty()) {
            List<String> done = checkpoint.filesDone == null ? new ArrayList<>() : new ArrayList<>(checkpoint.filesDone);
            done.addAll(chunk.getFilesEnded());
            checkpoint.filesDone = done;
            if (run.keepLoadedIds) {
                run.keepLoadedIds = false; // the file an older checkpoint held ids of is done (it is the first one)
                run.persistIds = false;
                services().checkpoints().forgetIds(run.logType);
            }
        }
        String last = chunk.getLastFile();
        if (last != null && !chunk.getFilesEnded().contains(last)) {
            checkpoint.fileInProgress = new Checkpoint.FilePosition(last, chunk.getLastLine());
        } else if (last != null || !chunk.getFilesEnded().isEmpty()) {
            checkpoint.fileInProgress = null;
        }
        mustHoldLease(run);
    }

    /** After every file of a page: move to {@code @nextPage} (kept even when the page was empty). */
    public void pageDone(Exchange exchange) {
        SourceRun run = run(exchange);
        if (run.stopped) {
            continueIf(exchange, true); // ends the run: it is shutting down
            return;
        }
        if (run.relist) {
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
        continueIf(exchange, moved && !run.caughtUp);
    }

    /** A file URL of the page expired (403/404): the page is listed again, a few times at most. */
    void relist(SourceRun run) {
        if (++run.relists > MAX_RELISTS) {
            throw new MimecastFailure(run.logType + ": file URLs kept expiring after " + MAX_RELISTS
                    + " fresh listings", 403);
        }
        LOG.info("{}: a file URL of the listing expired; listing the page again", run.logType);
        run.relist = true;
    }

    /**
     * A file that cannot be read to its end (a truncated or corrupt gzip): the lines before the damage are
     * delivered; the file itself goes to the dead letters as it is served (downloaded again for it), so nothing is
     * lost, and the stream moves on.
     */
    void deadLetterFile(SourceRun run, String url, long line, String reason) {
        run.skipped.increment();
        byte[] file;
        String note = "";
        try (ProducerTemplate producer = getCamelContext().createProducerTemplate()) {
            Exchange download = producer.send("direct:mimecast-download-whole", e -> e.setVariable(FILE_URL, url));
            if (download.getException() != null) {
                throw download.getException();
            }
            file = download.getMessage().getBody(byte[].class);
        } catch (Exception e) {
            file = new byte[0];
            note = "; the file could not be downloaded again (" + e.getClass().getSimpleName() + "): its URL "
                    + "path is the source";
        }
        services().deadLetters().put(run.logType, "unreadable gzip after line " + line + " (" + reason
                + "); the lines before it are delivered" + note, fileKey(url), file);
    }

    /** The object's path: stable across listings, unlike the signature in the query. */
    static String fileKey(String url) {
        return URI.create(url).getPath();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ---- properties, from the route file ----

    public void setPath(String path) {
        this.path = path;
    }

    /** Comma list of event types asked for in one listing. */
    public void setEventTypes(String eventTypes) {
        this.eventTypes = eventTypes;
    }

    public void setPageSize(int pageSize) {
        this.pageSize = pageSize;
    }

    /** Thrown into the route when the stream of a file breaks off (a network failure, not damage). */
    static final class FileBrokeOff extends RuntimeException {
        FileBrokeOff(String message, IOException cause) {
            super(message, cause);
        }
    }
}
