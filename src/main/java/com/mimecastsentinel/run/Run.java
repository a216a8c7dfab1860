package com.mimecastsentinel.run;

import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

import com.mimecastsentinel.checkpoint.Checkpoint;

/**
 * One run of one log type, as the {@code mimecast} consumer keeps it from the checkpoint's load to the end of the
 * run: its checkpoint document, the rows it keeps (a backfill's days), and what it counted, for the run summary and
 * the metrics. It never rides on an exchange: each batch's exchange carries a {@link BatchScope}, whose counts the
 * consumer adds here once the route completed it, with what the sink's headers say it accepted.
 */
public class Run {

    public final String logType;
    public final Instant started = Instant.now();
    public final Checkpoint checkpoint;
    /** Rows with an event time before this are not sent (a SIEM listing's first day begins before the start). */
    public volatile Instant keepFrom;
    /** Rows with an event time at or after this are not sent (a backfill's end). */
    public volatile Instant keepUntil;
    /** Whether the checkpoint keeps the ids delivered (a time window read again in part needs them). */
    public volatile boolean persistIds = true;
    /**
     * Whether the ids of the rows sent are remembered to drop them when they come again (a window read again in
     * part); a position that says what was sent (a line of a file) needs none, and the ids of a backlog of files
     * would not fit in memory.
     */
    public volatile boolean rememberIds = true;
    /**
     * The source says the batch just done moved nothing in the checkpoint (an Awareness Training page of unchanged
     * users): the next commit writes nothing, without serialising a checkpoint that holds every user's version.
     */
    public volatile boolean checkpointUnchanged;
    /** The run ended early because the connector is shutting down. */
    public volatile boolean interrupted;

    public int pages;
    public int files;
    public final LongAdder fetched = new LongAdder();
    public final LongAdder delivered = new LongAdder();
    public final LongAdder duplicates = new LongAdder();
    /** Rows not sent for a reason other than a duplicate: outside the run's days, unreadable, dead-lettered. */
    public final LongAdder skipped = new LongAdder();
    /** Fields sent in AdditionalFields: the table declares no column for them (or their value did not fit it). */
    public final LongAdder additionalFields = new LongAdder();
    /** Rows delivered since the last commit, and the newest event time among them. */
    public final LongAdder deliveredSinceCommit = new LongAdder();
    public volatile Instant newestSinceCommit;

    public Run(String logType, Checkpoint checkpoint) {
        this.logType = logType;
        this.checkpoint = checkpoint;
    }

    /** The run ended with this failure (null while it goes on or when it completed). */
    public volatile Throwable failure;

    /** The run ends with this failure (the first one, when batches in the route fail one after the other). */
    public synchronized void fail(Throwable failure) {
        if (this.failure == null) {
            this.failure = failure;
        }
    }

    /** What the steps of a batch's exchange counted. */
    public void add(BatchScope batch) {
        duplicates.add(batch.duplicates.sum());
        skipped.add(batch.skipped.sum());
        additionalFields.add(batch.additionalFields.sum());
    }

    /** The scope of a batch of this run: its days, whether its ids are remembered. */
    public BatchScope batch() {
        return new BatchScope(logType, keepFrom, keepUntil, rememberIds);
    }

    /** The sink accepted rows: counted, and their newest event time kept for the next commit. */
    public synchronized void acknowledged(long rows, Instant newest) {
        delivered.add(rows);
        deliveredSinceCommit.add(rows);
        if (newest != null && (newestSinceCommit == null || newest.isAfter(newestSinceCommit))) {
            newestSinceCommit = newest;
        }
    }

    /** The run failed: a source may leave its position so that the next run does not fail the same way. */
    public void failed(Throwable failure) {
    }

    /** The time window the run read, for the run summary ("-" where it reads by position). */
    public String window() {
        return "-";
    }

    /** What the checkpoint's position is, for the run summary. */
    public String position() {
        return checkpoint == null ? "none" : checkpoint.describe();
    }
}
