package com.mimecastsentinel.source;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.run.Run;

/** A run as a source reads it: where it is in Mimecast's data (the window, page, listing, file, feed). */
public final class SourceRun extends Run {
    /** The account the run reads. */
    MimecastAccount account;
    /** A backfill's end: windows stop here instead of now (null for the live connector). */
    Instant until;
    /** The run's exchanges in the route (set by the consumer as the run begins). */
    InRoute inRoute;
    /** Whether the run has more to read after the batch in hand. */
    boolean more;
    /** When the schedule runs this log type next (Quartz's next fire time; null when not known). */
    Instant nextScheduledRun;

    // paged sources: the window being read
    Instant windowStart;
    Instant windowEnd;
    boolean windowCapped;
    String pageToken;
    boolean resumedToken;
    String nextToken;
    final Set<String> tokensSeen = new HashSet<>();

    // awareness training: the campaigns (user data), the one being read, and the versions a page sends
    List<String> campaigns;
    int campaignIndex;
    final Map<String, String> sending = new HashMap<>();

    // threat feeds: the feed being read
    int feedIndex;

    // batch sources: the listing being read, its chunks, and the file in progress
    FileChunks chunks;
    String fileKey;
    List<String> listed;
    /** The file a restart found partly delivered, as the listing began. */
    Checkpoint.FilePosition resume;
    boolean caughtUp;
    int relists;
    boolean relist;
    /** The run ended inside a file (shutting down): the file is not done. */
    volatile boolean stopped;
    /** The checkpoint came from a version that kept the ids of the file in progress instead of its line. */
    boolean keepLoadedIds;
    /**
     * What a line's row adds to it as mapped (TimeGenerated, mimecastEventId, Logtype…), learnt from the chunks
     * sent: how many lines the next chunks take.
     */
    volatile double rowOverhead = 160;

    /** Not a run but the check command's probe: its smallest request (one record a page). */
    boolean probe;

    /** Told the failure when the run fails (a page token Mimecast no longer takes). */
    Consumer<Throwable> onFailure;

    SourceRun(String logType, Checkpoint checkpoint) {
        super(logType, checkpoint);
    }

    @Override
    public void failed(Throwable failure) {
        if (onFailure != null) {
            onFailure.accept(failure);
        }
    }

    /** The window read, for the run summary. */
    @Override
    public String window() {
        return windowStart == null ? "-" : windowStart + ".." + windowEnd;
    }
}
