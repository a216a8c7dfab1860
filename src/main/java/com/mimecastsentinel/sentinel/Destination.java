package com.mimecastsentinel.sentinel;

import java.util.List;
import java.util.function.Supplier;

import com.mimecastsentinel.transform.RowBatch;

/**
 * Where the {@code sentinel:} endpoint sends a batch: the Logs Ingestion API, Sentinel's STIX upload, or files (the
 * demo). {@link #send} returns once every row was accepted or refused for its own sake (those come back with the
 * reason, for the dead letters); any other failure throws and nothing after it is sent.
 */
public interface Destination {

    /** A row the destination refused for what it holds, with its answer. */
    record Rejected(RowBatch rows, int index, String reason) {
    }

    /** @return the refused rows (empty when all were accepted) */
    List<Rejected> send(String stream, RowBatch rows);

    /** One request's rows, readied to be sent: {@code sender} sends them, as {@link Destination#send} does. */
    record Request(RowBatch rows, Supplier<List<Rejected>> sender) {
        public List<Rejected> send() {
            return sender.get();
        }
    }

    /**
     * Readies one request's rows before their turn comes, on the caller's thread (Logs Ingestion: its gzip body),
     * so that it is done while the request before it is being sent.
     */
    default Request ready(String stream, RowBatch rows) {
        return new Request(rows, () -> send(stream, rows));
    }

    /** The most rows one request takes (Logs Ingestion: no count limit, only its 1 MB). */
    default int maxRows() {
        return Integer.MAX_VALUE;
    }

    /** Whether requests are cut at Log Analytics' limits (1 MB a request, 64 KB a value). */
    default boolean bytesLimited() {
        return true;
    }

    /** A short description for logs, without credentials. */
    String describe();
}
