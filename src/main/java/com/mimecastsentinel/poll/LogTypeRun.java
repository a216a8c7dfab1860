package com.mimecastsentinel.poll;

import java.time.Instant;

import com.mimecastsentinel.checkpoint.Checkpoint;

/** State of one run of one log type, kept on the exchange while the route works. */
public final class LogTypeRun {
    final Instant started = Instant.now();
    Checkpoint checkpoint;
    /** A backfill's end: windows stop here instead of now (null for the live connector). */
    Instant until;
    int pages;
    int files;
    long fetched;
    long duplicates;
    /** Counted by the route and by the delivery thread (rows the destination refused). */
    final java.util.concurrent.atomic.LongAdder skipped = new java.util.concurrent.atomic.LongAdder();
    long delivered;
    /**
     * The {@link DeliveryLine}'s work for this run (sending a batch, committing after it) while the route reads on;
     * the delivery thread owns the checkpoint until it is done. Failed once any step failed.
     */
    java.util.concurrent.CompletableFuture<Void> delivery;
    /**
     * Batch log types: the checkpoint came from a version that kept the ids of the file in progress instead of its
     * line: they are kept (in memory and in commits) until that file is done.
     */
    volatile boolean keepLoadedIds;
    long deliveredSinceCommit;
    Instant newestSinceCommit;

    // paged log types: the window being read
    Instant windowStart;
    Instant windowEnd;
    boolean windowCapped;
    String pageToken;
    boolean resumedToken;
    String nextToken;
    final java.util.Set<String> tokensSeen = new java.util.HashSet<>();

    // threat feeds: the feed being read
    int feedIndex;

    // batch log types: the listing being read and the file in progress
    String fileKey;
    /** The URLs of the listing page being read, and the download of the next one, begun early. */
    java.util.List<String> listed;
    BatchLogType.DownloadAhead downloadAhead;
    /** The file a restart found partly delivered, as the listing began (the checkpoint may be moving since). */
    com.mimecastsentinel.checkpoint.Checkpoint.FilePosition resume;
    boolean caughtUp;
    int relists;
    boolean relist;
    boolean stopped;
}
