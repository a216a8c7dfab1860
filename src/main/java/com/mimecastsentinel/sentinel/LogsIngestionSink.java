package com.mimecastsentinel.sentinel;

import java.util.ArrayList;
import java.util.List;

import com.azure.core.exception.HttpResponseException;
import com.azure.monitor.ingestion.LogsIngestionClient;
import com.azure.monitor.ingestion.models.LogsUploadException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rows to a Sentinel custom table through the Logs Ingestion API (DCR stream). The SDK gzips, retries 429/5xx
 * honouring {@code Retry-After}, and splits at 1 MB; batches arrive already under that size so one batch is one
 * request, which keeps a crash from re-sending more than that batch.
 *
 * <p>A 413 (too large) or 400 (rows the DCR refuses) is narrowed down by halving the batch: the halves that are
 * accepted are delivered, a single row still refused comes back as rejected with the service's answer. When not
 * one row of a batch is accepted the cause is not the rows but the set-up, and the batch fails instead.
 */
public final class LogsIngestionSink implements EventSink {
    private static final Logger LOG = LoggerFactory.getLogger(LogsIngestionSink.class);

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
            client.upload(dcrId, stream, List.copyOf(rows));
            accepted += rows.size();
            return rows.size();
        } catch (LogsUploadException e) {
            HttpResponseException cause = e.getLogsUploadErrors() == null || e.getLogsUploadErrors().isEmpty() ? null
                    : e.getLogsUploadErrors().get(0);
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
        } catch (HttpResponseException e) {
            throw new SinkException(explain(status(e), stream), e);
        }
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
