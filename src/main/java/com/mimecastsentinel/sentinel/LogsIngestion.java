package com.mimecastsentinel.sentinel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.rest.RequestOptions;
import com.azure.core.util.BinaryData;
import com.azure.monitor.ingestion.LogsIngestionClient;
import com.mimecastsentinel.transform.RowBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rows to a Sentinel custom table through the Logs Ingestion API (a DCR stream), gzipped, one request a call (the
 * endpoint cuts batches under the 1 MB limit first); the SDK's pipeline retries 429/5xx honouring
 * {@code Retry-After}.
 *
 * <p>A 413 (too large) or 400 (rows the DCR refuses) is narrowed down by halving: the halves that are accepted are
 * delivered, a single row still refused comes back as rejected with the service's answer. When not one row is
 * accepted the cause is not the rows but the set-up, and the batch fails instead.
 *
 * <p>One instance serves every stream of its DCR, for every account that sends there, each log type's sink on its
 * own thread; their uploads go one at a time (a request and its retries). Side by side, a DCR throttling with 429 met each log type's retries with
 * others' requests in between, and a request could spend its attempts on 429s (the degraded-APIs fault test).
 */
public final class LogsIngestion implements Destination {
    private static final Logger LOG = LoggerFactory.getLogger(LogsIngestion.class);
    /**
     * Compression of request bodies: the fastest level. Level 6 (the JDK's default) made requests a quarter smaller
     * but took three times the CPU (docs/performance.md).
     */
    public static final int GZIP_LEVEL = java.util.zip.Deflater.BEST_SPEED;
    /** Refused single rows, with none accepted yet, after which a batch counts as a set-up error. */
    static final int GIVE_UP_AFTER = 5;

    private final LogsIngestionClient client;
    private final String endpoint;
    private final String dcrId;
    /** The DCR's Entra tenant when not AZURE_TENANT_ID (a declared account's destination tenantId), else null. */
    private final String tenantId;

    public LogsIngestion(LogsIngestionClient client, String endpoint, String dcrId, String tenantId) {
        this.client = client;
        this.endpoint = endpoint;
        this.dcrId = dcrId;
        this.tenantId = tenantId;
    }

    @Override
    public List<Rejected> send(String stream, RowBatch rows) {
        return send(stream, rows, gzipArray(rows));
    }

    /** The request's body is gzipped as it is readied: while the request before it is being sent. */
    @Override
    public Request ready(String stream, RowBatch rows) {
        BinaryData body = gzipArray(rows);
        return new Request(rows, () -> send(stream, rows, body));
    }

    private synchronized List<Rejected> send(String stream, RowBatch rows, BinaryData body) {
        List<Rejected> rejected = new ArrayList<>();
        int[] accepted = { 0 };
        int delivered = upload(stream, rows, body, rejected, accepted);
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

    /**
     * Uploads {@code rows} ({@code body}: their gzip JSON array), halving on 400/413; returns how many were accepted
     * and adds the rest to rejected.
     */
    private int upload(String stream, RowBatch rows, BinaryData body, List<Rejected> rejected, int[] accepted) {
        try {
            // new options per request: the SDK adds a callback holding the body to the options it is given, so
            // shared options kept every body sent and replayed them all on each request (found by a heap profile)
            client.uploadWithResponse(dcrId, stream, body, new RequestOptions()
                    .setHeader(HttpHeaderName.CONTENT_ENCODING, "gzip")
                    .setHeader(HttpHeaderName.CONTENT_TYPE, "application/json"));
            accepted[0] += rows.size();
            return rows.size();
        } catch (HttpResponseException e) {
            int status = e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
            if (status != 400 && status != 413) {
                Refusal refusal = refusal(status, stream, abbreviate(e.getMessage()));
                throw new SinkException(refusal.detail() + ": " + refusal.fix(), e);
            }
            String reason = "HTTP " + status + ": " + abbreviate(e.getMessage());
            if (rows.size() == 1) {
                rejected.add(new Rejected(rows, 0, reason));
                if (rejected.size() >= GIVE_UP_AFTER && accepted[0] == 0) {
                    // not one row goes through: the stream or DCR is wrong, not the rows; stop narrowing down
                    throw new SinkException("Logs Ingestion refused every row tried for stream " + stream + " ("
                            + reason + "): check that the DCR declares this stream and its columns", e);
                }
                return 0;
            }
            int half = rows.size() / 2;
            RowBatch first = rows.slice(0, half);
            RowBatch second = rows.slice(half, rows.size());
            return upload(stream, first, gzipArray(first), rejected, accepted)
                    + upload(stream, second, gzipArray(second), rejected, accepted);
        }
    }

    /**
     * An upload of an empty JSON array to the stream: no row, but the service authenticates the token, authorizes it
     * on the DCR and finds the DCR and its stream before it looks at the rows. 2xx proves all of that; 403 is the
     * role, 404 the DCR (or endpoint); a 400 about the stream is a stream the DCR does not declare. Microsoft does not
     * document the answer to an empty array: any other 400 leaves the stream unproven (role and DCR were not refused).
     */
    @Override
    public Probe probe(String stream) {
        try {
            client.uploadWithResponse(dcrId, stream, BinaryData.fromString("[]"), new RequestOptions()
                    .setHeader(HttpHeaderName.CONTENT_TYPE, "application/json"));
            return new Probe(true, "DCR " + dcrId + " at " + endpoint + " takes stream " + stream
                    + " from this identity (an empty upload: no row)");
        } catch (HttpResponseException e) {
            int status = e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
            String answer = abbreviate(e.getMessage());
            if (status != 400) {
                Refusal refusal = refusal(status, stream, answer);
                throw new Refused(refusal.detail(), refusal.fix(), e);
            }
            if (answer.toLowerCase(java.util.Locale.ROOT).contains("stream")) {
                throw new Refused("DCR " + dcrId + " refused stream " + stream + " (HTTP 400: " + answer + ")",
                        "deploy the DCR of deploy/azure (it declares every stream), or point the route's sentinel: "
                                + "endpoint (SENTINEL_STREAM_…) at a stream it declares", e);
            }
            return new Probe(false, "DCR " + dcrId + " answered an empty upload to stream " + stream + " with HTTP "
                    + "400 (" + answer + "): the identity and DCR were not refused, the stream cannot be proven "
                    + "without a row");
        } catch (RuntimeException e) {
            throw new Refused("no answer from " + endpoint + " (" + abbreviate(e.toString()) + ")",
                    "check SENTINEL_INGESTION_ENDPOINT, DNS and the proxy (https.proxyHost)", e);
        }
    }

    /** The rows as one gzip JSON array, written from their JSON as the mapping made it. */
    static BinaryData gzipArray(RowBatch rows) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 * 1024);
        try (OutputStream out = gzip(bytes)) {
            out.write('[');
            for (int i = 0; i < rows.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                rows.writeJson(i, out);
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

    /** A refused upload in words: what happened, and what to do (a run's failure and the check's line alike). */
    private record Refusal(String detail, String fix) {
    }

    private Refusal refusal(int status, String stream, String answer) {
        return switch (status) {
            case 0, 401 -> new Refusal("no token for the DCR" + (tenantId == null ? "" : " from its tenant "
                    + tenantId) + ", or one it refused (" + answer + ")", tenantId == null
                    ? "check the identity (AZURE_TENANT_ID, AZURE_CLIENT_ID, the secret or managed identity) and "
                            + "AZURE_CLOUD: see the azure token line of the check command"
                    : "the application AZURE_CLIENT_ID needs a service principal in tenant " + tenantId + " (an "
                            + "administrator there consents to it: az ad sp create --id <AZURE_CLIENT_ID>), and "
                            + "AZURE_CLIENT_SECRET its current secret (docs/azure.md, other tenants)");
            case 403 -> new Refusal("DCR " + dcrId + " refused this identity for stream " + stream + " (HTTP 403: "
                    + answer + ")", "assign the connector's identity the 'Monitoring Metrics Publisher' role on DCR "
                    + dcrId + (tenantId == null ? "" : ", in tenant " + tenantId)
                    + " (a new assignment takes up to 30 minutes)");
            case 404 -> new Refusal("no DCR " + dcrId + " with stream " + stream + " at " + endpoint + " (HTTP 404: "
                    + answer + ")", "check the DCR id (SENTINEL_DCR_ID, or the account's destination dcrId: the "
                    + "DCR's immutable id, dcr-…) and its ingestion endpoint, and that the DCR declares stream "
                    + stream);
            default -> new Refusal("Logs Ingestion answered HTTP " + status + " for stream " + stream + " ("
                    + answer + ")", "check SENTINEL_INGESTION_ENDPOINT and the service's health");
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
