package com.mimecastsentinel.source;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.sentinel.SentinelEndpoint;
import com.mimecastsentinel.transform.Lines;
import org.apache.camel.Exchange;
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
    private int chunkBytes = (int) (Integer.getInteger("mimecast.batch-bytes", 1_000_000) * 0.97);
    /** The sink's headers: the rows it accepted of the exchange's batch, and their bytes. */

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
            Instant start = firstStart(run);
            checkpoint.startedFrom = start.isBefore(earliest) ? earliest : start;
        }
        // the first day is listed whole: its events before the start are not sent
        run.keepFrom = checkpoint.startedFrom;
        return run.until == null || checkpoint.startedFrom.isBefore(run.until);
    }

    /**
     * The run's next chunk: of the listing page's files, or, once they are all read, of the next page's (listed
     * when the chunks of the one before are done). Null at the end of the listing (caught up) or of the run.
     */
    @Override
    public Batch next(SourceRun run, MimecastCalls calls) throws Exception {
        while (true) {
            if (run.chunks != null) {
                if (run.chunks.hasNext()) {
                    Lines chunk = run.chunks.next();
                    return Batch.of(run, chunk).with(Batch.FILE, chunk.getLastFile()).with(Batch.LINE,
                            chunk.getLastFile() == null ? null : chunk.getLastLine());
                }
                end(run);
                run.inRoute.awaitEmpty(); // every chunk of the page delivered (or failed) before the page moves on
                if (run.failure != null) {
                    return null;
                }
                run.more = pageDone(run); // moved in memory: committed with the next chunk, or at the run's end
            }
            if (!run.more) {
                return null;
            }
            run.chunks = chunks(run, files(run, calls.call(listing(run))));
        }
    }

    /** The next chunk is read and mapped while the route sends this one. */
    @Override
    public int batchesAhead() {
        return 1;
    }

    @Override
    public void end(SourceRun run) {
        if (run.chunks != null) {
            run.chunks.close();
            run.chunks = null;
        }
    }

    @Override
    protected MimecastRequest firstRequest(SourceRun run) {
        return listing(run);
    }

    /** The next listing call: the event types, and the next page token (or the first day). */
    private MimecastRequest listing(SourceRun run) {
        Checkpoint checkpoint = run.checkpoint;
        StringBuilder query = new StringBuilder("type=").append(encode(eventTypes)).append("&pageSize=")
                .append(pageSize(run, pageSize));
        if (checkpoint.nextPage != null) {
            query.append("&nextPage=").append(encode(checkpoint.nextPage));
        } else {
            query.append("&dateRangeStartsAt=").append(LocalDate.ofInstant(checkpoint.startedFrom, ZoneOffset.UTC));
        }
        return MimecastRequest.get(path, query.toString());
    }

    /**
     * The body: the URLs of the listing page's files not delivered yet; the next page token is noted. An entry whose
     * URL fails the checks of {@link FileUrls} is never fetched: it goes to the dead letters with its reason, once
     * (its key is among the page's files done from then on), and the rest of the page is read.
     */
    private List<String> files(SourceRun run, Exchange answer) {
        JsonNode listing = answer.getMessage().getBody(JsonNode.class);
        Checkpoint checkpoint = run.checkpoint;
        JsonNode next = listing.path("@nextPage");
        run.nextToken = next.isTextual() ? pageToken(run, next.asText()) : null;
        run.caughtUp = listing.path("isCaughtUp").asBoolean(false);
        run.pages++;
        mustHoldLease(run);
        List<String> files = new ArrayList<>();
        List<String> done = checkpoint.filesDone == null ? new ArrayList<>() : new ArrayList<>(checkpoint.filesDone);
        for (JsonNode entry : listing.path("value")) {
            String url = entry.path("url").isTextual() ? entry.path("url").asText() : null;
            try {
                services().fileUrls().check(url);
                if (!done.contains(FileUrls.key(url))) {
                    files.add(url);
                }
            } catch (FileUrls.Refused refused) {
                String key = FileUrls.refusedKey(url != null ? url : entry.toString());
                if (!done.contains(key)) { // done from now on, committed with the page's next chunk or its end
                    done.add(key);
                    run.skipped.increment();
                    ObjectNode kept = entry.isObject() ? ((ObjectNode) entry).deepCopy() : null;
                    if (kept != null && url != null) {
                        kept.put("url", FileUrls.withoutQuery(url)); // its signature is no one's business
                    }
                    services().deadLetters().put(run.logType, "listing entry not fetched: " + refused.getMessage(),
                            FileUrls.withoutQuery(url), kept != null ? kept.toString() : entry.toString());
                }
            }
        }
        checkpoint.filesDone = done.isEmpty() ? checkpoint.filesDone : done;
        run.relist = false;
        run.resume = checkpoint.fileInProgress;
        run.listed = files;
        return files;
    }

    /**
     * The listing page's files as chunks of lines, read as the consumer asks for them. The files are downloaded one
     * after the other (through the Mimecast download route), after the lines an earlier run delivered; each chunk's
     * lines make about {@code chunkBytes} of rows once mapped (what a row adds to its line is learnt from the chunks
     * before), across file ends.
     */
    private FileChunks chunks(SourceRun run, List<String> urls) {
        return new FileChunks(getCamelContext(), run, urls, new FileChunks.Source() {
            @Override
            public void expired(SourceRun expiredRun) {
                relist(expiredRun);
            }

            @Override
            public void damaged(SourceRun damagedRun, String url, String reason, StreamCapture file) {
                deadLetter(damagedRun, url, reason, file);
            }

            @Override
            public void lineTooLong(SourceRun longRun, String url, long line, String reason, StreamCapture content) {
                deadLetter(longRun, url, reason, content);
            }
        }, chunkBytes, () -> (int) run.rowOverhead, this::stopping, limits());
    }

    /**
     * After a chunk was delivered: the files that ended in it are done, and the file of its last line is in progress
     * up to that line (committed next).
     */
    @Override
    public void delivered(SourceRun run, Batch batch, Exchange completed) {
        Lines chunk = (Lines) batch.body();
        // what the sink says it accepted of the chunk's rows: what mapping adds to a line, for the next chunks
        long rows = completed.getMessage().getHeader(SentinelEndpoint.ROWS_ACCEPTED, 0L, Long.class);
        long rowBytes = completed.getMessage().getHeader(SentinelEndpoint.BYTES_ACCEPTED, 0L, Long.class);
        long lines = chunk.size();
        long lineBytes = chunk.bytes();
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
    private boolean pageDone(SourceRun run) {
        if (run.stopped || stopping()) {
            run.interrupted = true; // ends the run where it stands: it is shutting down
            return false;
        }
        if (run.relist) {
            return true;
        }
        boolean moved = run.nextToken != null && !run.nextToken.equals(run.checkpoint.nextPage);
        if (moved) {
            run.checkpoint.nextPage = run.nextToken;
            run.checkpoint.filesDone = null; // a new page: its files are all still to read
            run.checkpoint.fileInProgress = null;
            run.relists = 0;
        }
        return moved && !run.caughtUp;
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

    private FileChunks.Limits limits() {
        var settings = services().settings();
        return new FileChunks.Limits(settings.maxLineBytes, settings.maxFileBytes, settings.maxInflateRatio);
    }

    /**
     * What cannot be read of a file (a truncated or corrupt gzip, one that inflates beyond the limits, a line over the
     * line limit) goes to the dead letters as it was read: its first bytes, its size and SHA-256, the URL without its
     * signature; the stream moves on.
     */
    void deadLetter(SourceRun run, String url, String reason, StreamCapture read) {
        run.skipped.increment();
        services().deadLetters().put(run.logType, reason, FileUrls.withoutQuery(url), read.prefix(), read.size(),
                read.sha256());
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

    /**
     * About how many bytes a chunk's rows make once mapped (a line counts its bytes and what its row adds): a
     * little under the sink's request size, so that a chunk is one request.
     */
    public void setChunkBytes(int chunkBytes) {
        this.chunkBytes = chunkBytes;
    }

    /** Thrown into the route when the stream of a file breaks off (a network failure, not damage). */
    static final class FileBrokeOff extends RuntimeException {
        FileBrokeOff(String message, IOException cause) {
            super(message, cause);
        }
    }
}
