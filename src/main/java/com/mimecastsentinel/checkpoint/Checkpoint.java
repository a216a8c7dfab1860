package com.mimecastsentinel.checkpoint;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One log type's position, stored as a small JSON document ({@code <logType>.json}; in Blob under {@code checkpoints/}). It is written
 * only after the sink acknowledged every event before that position. The ids of events delivered within the
 * overlap window live in the same document, so position and dedupe state always move together in one write.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({ "version", "logType", "completedUntil", "window", "startedFrom", "nextPage", "filesDone", "fileInProgress",
        "feeds", "snapshot",
        "newestEventTime", "deliveredTotal", "updatedAt", "recentEventIds" })
public class Checkpoint {
    public static final int VERSION = 1;

    /** A time window being paged through: resume at {@code pageToken} after a failure or restart. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Window {
        public Instant start;
        public Instant end;
        public String pageToken;

        public Window() {
        }

        public Window(Instant start, Instant end, String pageToken) {
            this.start = start;
            this.end = end;
            this.pageToken = pageToken;
        }
    }

    /** A file of a listing page and the number of its lines whose events were all delivered or dead-lettered. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class FilePosition {
        public String file;
        public long lines;

        public FilePosition() {
        }

        public FilePosition(String file, long lines) {
            this.file = file;
            this.lines = lines;
        }
    }

    /** Threat feeds: where each feed stands. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Feed {
        public Instant completedUntil;
        public Window window;
    }

    /**
     * Awareness Training: the snapshot being sent. Each user's version sent in it is kept (as a hash of the user's
     * key to a hash of the record), so that within a snapshot a user is sent again only when their record changed.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Snapshot {
        public Instant startedAt;
        /** When a run first read the whole dataset in this snapshot (null while it is incomplete). */
        public Instant completedAt;
        public Map<String, String> sent = new TreeMap<>();
    }

    public int version = VERSION;
    public String logType;
    /** Every event up to this time has been delivered; the next window starts here minus the overlap. */
    public Instant completedUntil;
    /** The window in progress, or null between windows. */
    public Window window;
    /**
     * Where this checkpoint began reading (its first window's start). Batch log types drop events before it (the
     * first day is listed whole); a backfill stops at the live checkpoint's.
     */
    public Instant startedFrom;
    /** Batch log types: the token that lists the page in progress (null: the first listing, by date). */
    public String nextPage;
    /** Batch log types: files of the page in progress that were delivered whole. */
    public List<String> filesDone;
    /**
     * Batch log types: how far the file being read was delivered (a restart skips those lines instead of sending
     * them again); null between files.
     */
    public FilePosition fileInProgress;
    /** Threat feeds: position per feed type. */
    public Map<String, Feed> feeds;
    /** Awareness Training: the current snapshot. */
    public Snapshot snapshot;
    public Instant newestEventTime;
    public long deliveredTotal;
    public Instant updatedAt;
    /** Event id to event time (epoch seconds) for events delivered inside the overlap window. */
    public Map<String, Long> recentEventIds = new TreeMap<>();

    /** Where the checkpoint stands, in a few words (run summaries, the checkpoint command). */
    public String describe() {
        if (snapshot != null) {
            return "snapshot of " + snapshot.startedAt + ", " + snapshot.sent.size() + " records sent, "
                    + (snapshot.completedAt == null ? "not read whole yet" : "read whole at " + snapshot.completedAt);
        }
        if (feeds != null) {
            return "feeds " + feeds.keySet() + " completed until " + completedUntil;
        }
        if (window != null) {
            return "window " + window.start + " .. " + window.end + " page "
                    + (window.pageToken == null ? "first" : "token");
        }
        if (nextPage != null || startedFrom != null && completedUntil == null) {
            return (nextPage == null ? "first listing from " + startedFrom : "next page token")
                    + (filesDone == null ? "" : ", " + filesDone.size() + " files of the page done")
                    + (fileInProgress == null ? "" : ", " + fileInProgress.lines + " lines of a file delivered");
        }
        return completedUntil == null ? "none yet" : "completed until " + completedUntil;
    }

    public static Checkpoint initial(String logType) {
        Checkpoint checkpoint = new Checkpoint();
        checkpoint.logType = logType;
        return checkpoint;
    }
}
