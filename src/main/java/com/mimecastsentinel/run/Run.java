package com.mimecastsentinel.run;

import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

import com.mimecastsentinel.checkpoint.Checkpoint;
import org.apache.camel.Exchange;

/**
 * One run of one log type: the exchange variable {@value #VARIABLE} from the source's first step to the end of the
 * run. Its checkpoint document, the rows it keeps (a backfill's days), and what it counted, for the run summary and
 * the metrics. The steps of a log type's route count into it when it is there (a route of a user's own may have
 * none).
 */
public class Run {
    public static final String VARIABLE = "run";

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

    /** The run of this exchange, or null outside a run. */
    public static Run of(Exchange exchange) {
        return exchange.getVariable(VARIABLE, Run.class);
    }

    /** Whether a row with this event time is one the run sends. */
    public boolean keeps(long eventMillis) {
        Instant from = keepFrom;
        Instant until = keepUntil;
        return (from == null || eventMillis >= from.toEpochMilli()) && (until == null || eventMillis < until.toEpochMilli());
    }

    /** Sentinel accepted rows: counted, and their newest event time kept for the next commit. */
    public synchronized void acknowledged(long rows, long bytes, Instant newest) {
        delivered.add(rows);
        bytesSinceChunk.add(bytes);
        rowsSinceChunk.add(rows);
        deliveredSinceCommit.add(rows);
        if (newest != null && (newestSinceCommit == null || newest.isAfter(newestSinceCommit))) {
            newestSinceCommit = newest;
        }
    }

    /**
     * Since the last chunk of a file was done: the lines mapped and their bytes, the rows acknowledged and theirs
     * (what mapping adds to a line, so that chunks are cut to make about one request).
     */
    public final LongAdder linesSinceChunk = new LongAdder();
    public final LongAdder lineBytesSinceChunk = new LongAdder();
    public final LongAdder bytesSinceChunk = new LongAdder();
    public final LongAdder rowsSinceChunk = new LongAdder();

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
