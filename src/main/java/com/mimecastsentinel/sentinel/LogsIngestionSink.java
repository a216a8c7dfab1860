package com.mimecastsentinel.sentinel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import com.azure.core.exception.HttpResponseException;
import com.azure.monitor.ingestion.LogsIngestionClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.rest.RequestOptions;
import com.azure.core.util.BinaryData;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rows to a Sentinel custom table through the Logs Ingestion API (DCR stream). Batches arrive under its 1 MB
 * limit, so one batch is one request (a crash re-sends at most that batch); they are sent as the batcher
 * serialized them, gzipped here; the SDK's pipeline retries 429/5xx honouring {@code Retry-After}.
 *
 * <p>A 413 (too large) or 400 (rows the DCR refuses) is narrowed down by halving the batch: the halves that are
 * accepted are delivered, a single row still refused comes back as rejected with the service's answer. When not
 * one row of a batch is accepted the cause is not the rows but the set-up, and the batch fails instead.
 */
public final class LogsIngestionSink implements EventSink {
    private static final Logger LOG = LoggerFactory.getLogger(LogsIngestionSink.class);

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Compression of request bodies: the fastest level. Level 6 (the JDK's default) made requests a quarter smaller
     * but took three times the CPU, and compressing was half of the delivery thread's time (README, Performance).
     */
    public static final int GZIP_LEVEL = java.util.zip.Deflater.BEST_SPEED;
    private final LogsIngestionClient client;
    private final String dcrId;
    private final String endpoint;
    /** Refused single rows, with none accepted yet, after which a batch counts as a set-up error. */
    static final int GIVE_UP_AFTER = 5;
    private int accepted;

    public LogsIngestionSink(LogsIngestionClient client, String endpoint, String dcrId) {
        this.client = client;
        this.endpoint = endpoint;
        this.dcrId = dcrId;
    }

    @Override
    public synchronized List<Rejected> send(String stream, List<ObjectNode> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<Rejected> rejected = new ArrayList<>();
        accepted = 0;
        int delivered = upload(stream, rows, rejected);
        if (delivered == 0 && rejected.size() > 1) {
            throw new SinkException("Logs Ingestion refused every row of a batch for stream " + stream + " ("
                    + rejected.get(0).reason() + "): check that the DCR declares this stream and its columns", null);
        }
        if (!rejected.isEmpty()) {
            LOG.warn("Logs Ingestion refused {} of {} rows for stream {}: {}", rejected.size(), rows.size(), stream,
                    rejected.get(0).reason());
        }
        return rejected;
    }

    /** Uploads {@code rows}, halving on 400/413; returns how many were accepted and adds the rest to rejected. */
    private int upload(String stream, List<ObjectNode> rows, List<Rejected> rejected) {
        try {
            // new options per request: the SDK adds a callback holding the body to the options it is given, so
            // shared options kept every body sent and replayed them all on each request (found by a heap profile)
            client.uploadWithResponse(dcrId, stream, gzipArray(rows), new RequestOptions()
                    .setHeader(HttpHeaderName.CONTENT_ENCODING, "gzip")
                    .setHeader(HttpHeaderName.CONTENT_TYPE, "application/json"));
            accepted += rows.size();
            return rows.size();
        } catch (HttpResponseException e) {
            HttpResponseException cause = e;
            int status = status(cause);
            if (status != 400 && status != 413) {
                throw new SinkException(explain(status, stream), e);
            }
            String reason = "HTTP " + status + ": " + abbreviate(cause.getMessage());
            if (rows.size() == 1) {
                rejected.add(new Rejected(rows.get(0), reason));
                if (rejected.size() >= GIVE_UP_AFTER && accepted == 0) {
                    // not one row goes through: the stream or DCR is wrong, not the rows; stop narrowing down
                    throw new SinkException("Logs Ingestion refused every row tried for stream " + stream + " ("
                            + reason + "): check that the DCR declares this stream and its columns", e);
                }
                return 0;
            }
            int half = rows.size() / 2;
            return upload(stream, rows.subList(0, half), rejected)
                    + upload(stream, rows.subList(half, rows.size()), rejected);
        }
    }

    /**
     * The rows as one gzip JSON array: a batch's rows as the batcher already serialized them (the SDK's own
     * upload would serialize every row again), a part of a batch being narrowed down serialized here.
     */
    private BinaryData gzipArray(List<ObjectNode> rows) {
        List<byte[]> serialized = RowBatcher.jsonOf(rows, JSON);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 * 1024);
        try (OutputStream out = gzip(bytes)) {
            out.write('[');
            for (int i = 0; i < serialized.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.write(serialized.get(i));
            }
            out.write(']');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return BinaryData.fromBytes(bytes.toByteArray());
    }

    /** A gzip stream at {@link #GZIP_LEVEL}. */
    public static GZIPOutputStream gzip(OutputStream out) throws IOException {
        return new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(GZIP_LEVEL);
            }
        };
    }

    private static int status(HttpResponseException e) {
        return e == null || e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
    }

    private String explain(int status, String stream) {
        return switch (status) {
            case 403 -> "Logs Ingestion answered 403 for stream " + stream + ": grant the connector's identity the "
                    + "'Monitoring Metrics Publisher' role on DCR " + dcrId + " (it can take 30 minutes to apply)";
            case 404 -> "Logs Ingestion answered 404: check SENTINEL_DCR_ID and that stream " + stream
                    + " is declared in the DCR";
            default -> "Logs Ingestion answered HTTP " + status + " for stream " + stream;
        };
    }

    private static String abbreviate(String text) {
        String flat = text == null ? "" : text.replaceAll("\\s+", " ");
        return flat.length() > 500 ? flat.substring(0, 500) + "…" : flat;
    }

    @Override
    public String describe() {
        return "Logs Ingestion " + endpoint + " DCR " + dcrId;
    }
}
