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

    /**
     * Proves, without adding a row, that this destination takes rows for {@code stream} (the {@code check} command).
     *
     * @return what the probe proved (or, not {@link Probe#proven}, why it could not prove it)
     * @throws Refused when the destination refused: what it answered and what to do
     */
    default Probe probe(String stream) {
        return new Probe(false, describe() + " cannot be probed");
    }

    /** What a probe found: proven, or not provable this way (a warning, not a failure). */
    record Probe(boolean proven, String detail) {
    }

    /** The destination refused a probe: what it said ({@link #getMessage}) and what to do about it. */
    final class Refused extends SinkException {
        private final String fix;

        public Refused(String detail, String fix, Throwable cause) {
            super(detail, cause);
            this.fix = fix;
        }

        public String fix() {
            return fix;
        }
    }

    /** A short description for logs, without credentials. */
    String describe();
}
