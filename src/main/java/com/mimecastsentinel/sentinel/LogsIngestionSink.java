package com.mimecastsentinel.sentinel;

import java.util.List;

import com.azure.core.exception.HttpResponseException;
import com.azure.monitor.ingestion.LogsIngestionClient;
import com.azure.monitor.ingestion.models.LogsUploadException;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Rows to a Sentinel custom table through the Logs Ingestion API (DCR stream). The SDK gzips, retries 429/5xx
 * honouring {@code Retry-After}, and splits at 1 MB; batches arrive already under that size so one batch is one
 * request, which keeps a crash from re-sending more than that batch.
 */
public final class LogsIngestionSink implements EventSink {
    private final LogsIngestionClient client;
    private final String dcrId;
    private final String endpoint;

    public LogsIngestionSink(LogsIngestionClient client, String endpoint, String dcrId) {
        this.client = client;
        this.endpoint = endpoint;
        this.dcrId = dcrId;
    }

    @Override
    public void send(String stream, List<ObjectNode> rows) {
        if (rows.isEmpty()) {
            return;
        }
        try {
            client.upload(dcrId, stream, List.copyOf(rows));
        } catch (LogsUploadException e) {
            throw new SinkException("Logs Ingestion rejected " + e.getFailedLogsCount() + " of " + rows.size()
                    + " rows for stream " + stream + ": " + firstCause(e), e);
        } catch (HttpResponseException e) {
            throw new SinkException(explain(e.getResponse() == null ? 0 : e.getResponse().getStatusCode(), stream), e);
        }
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

    private static String firstCause(LogsUploadException e) {
        if (e.getLogsUploadErrors() == null || e.getLogsUploadErrors().isEmpty()) {
            return e.getMessage();
        }
        var error = e.getLogsUploadErrors().get(0);
        int status = error.getResponse() == null ? 0 : error.getResponse().getStatusCode();
        return "HTTP " + status;
    }

    @Override
    public String describe() {
        return "Logs Ingestion " + endpoint + " DCR " + dcrId;
    }
}
