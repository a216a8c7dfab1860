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
    long skipped;
    long delivered;
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
    /** More chunks of the file in progress follow: its last, partly filled batch waits for them. */
    boolean moreOfThisFile;
    com.mimecastsentinel.sentinel.RowBatcher.Batch heldBack;
    boolean caughtUp;
    int relists;
    boolean relist;
    boolean stopped;
}
