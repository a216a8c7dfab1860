package com.mimecastsentinel.sentinel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.transform.RowBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Threat indicators to Microsoft Sentinel through the STIX objects upload API (at most {@value #MAX_OBJECTS} objects a
 * request), with an Azure SDK pipeline: a bearer token for the cloud's Azure Resource Manager and the
 * SDK's retry policy (429/5xx, honouring {@code Retry-After}). A 200 may list refused objects by index: those come
 * back as rejected, the rest count as delivered.
 */
public final class StixUpload implements Destination {
    private static final Logger LOG = LoggerFactory.getLogger(StixUpload.class);
    public static final int MAX_OBJECTS = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpPipeline pipeline;
    private final String url;
    private final String sourceSystem;

    /** @param pipeline to Azure Resource Manager's audience, with its retries ({@link AzureClients#resourceManager}) */
    public StixUpload(HttpPipeline pipeline, String endpoint, String workspaceId, String sourceSystem) {
        this.pipeline = pipeline;
        this.url = endpoint.replaceAll("/+$", "") + "/workspaces/" + workspaceId
                + "/threat-intelligence-stix-objects:upload?api-version=2024-02-01-preview";
        this.sourceSystem = sourceSystem;
    }

    @Override
    public int maxRows() {
        return MAX_OBJECTS;
    }

    @Override
    public boolean bytesLimited() {
        return false;
    }

    @Override
    public List<Rejected> send(String stream, RowBatch objects) {
        if (objects.size() > MAX_OBJECTS) {
            throw new IllegalArgumentException("at most " + MAX_OBJECTS + " STIX objects per request");
        }
        Answer answer = post(objects);
        if (answer.status() == 403) {
            throw new SinkException("STIX upload answered 403: grant the connector's identity 'Microsoft "
                    + "Sentinel Contributor' on the workspace", null);
        }
        if (answer.status() != 200) {
            throw new SinkException("STIX upload answered HTTP " + answer.status(), null);
        }
        return rejected(objects, answer.text());
    }

    /** An answer of the upload: its status and (at most {@value #MAX_ANSWER_BYTES} bytes of) its body. */
    private record Answer(int status, String text) {
        String abbreviated() {
            return text.length() > 300 ? text.substring(0, 300) + "…" : text;
        }
    }

    /** The longest answer read: one naming each of 100 objects' errors is far shorter. */
    private static final int MAX_ANSWER_BYTES = 4 << 20;

    private Answer post(RowBatch objects) {
        HttpRequest request = new HttpRequest(HttpMethod.POST, url)
                .setHeader(HttpHeaderName.CONTENT_TYPE, "application/json")
                .setBody(BinaryData.fromBytes(body(objects)));
        try (HttpResponse response = pipeline.sendSync(request, com.azure.core.util.Context.NONE)) {
            BinaryData data = response.getBodyAsBinaryData();
            byte[] text;
            try (java.io.InputStream body = data == null ? java.io.InputStream.nullInputStream() : data.toStream()) {
                text = body.readNBytes(MAX_ANSWER_BYTES);
            }
            return new Answer(response.getStatusCode(), new String(text, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the STIX upload's answer", e);
        }
    }

    /**
     * An upload of no STIX object: the token's audience, the role on the workspace and the workspace id are checked
     * before the objects. 200 proves them; 403 is the role, 404 the workspace. The answer to an empty upload is not
     * documented: a 400 leaves it unproven.
     */
    @Override
    public Probe probe(String stream) {
        String where = url.replaceAll("\\?.*", "");
        try {
            Answer upload = post(new RowBatch());
            int status = upload.status();
            String answer = upload.abbreviated();
            return switch (status) {
                case 200, 204 -> new Probe(true, "the STIX upload takes objects for this workspace (" + where
                        + "; an empty upload: no indicator)");
                case 400 -> new Probe(false, "the STIX upload answered an empty upload with HTTP 400 (" + answer
                        + "): the identity and workspace were not refused, the upload cannot be proven without an "
                        + "indicator");
                case 401, 403 -> throw new Refused("the STIX upload refused this identity (HTTP " + status + ": "
                        + answer + ")", "assign the connector's identity 'Microsoft Sentinel Contributor' on the "
                        + "workspace", null);
                case 404 -> throw new Refused("no workspace at " + where + " (HTTP 404)", "check the workspace id "
                        + "(SENTINEL_WORKSPACE_ID, or the account's destination workspaceId: a GUID) and "
                        + "SENTINEL_TI_ENDPOINT", null);
                default -> throw new Refused("the STIX upload answered HTTP " + status + " (" + answer + ")",
                        "check SENTINEL_TI_ENDPOINT and the service's health", null);
            };
        } catch (Refused e) {
            throw e;
        } catch (RuntimeException e) {
            throw new Refused("no answer from " + where + " (" + e + ")", "check SENTINEL_TI_ENDPOINT, DNS and the "
                    + "proxy (https.proxyHost)", e);
        }
    }

    private byte[] body(RowBatch objects) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(objects.size() * 512 + 64);
        try {
            body.write(("{\"sourcesystem\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(sourceSystem))
                    + "\",\"stixobjects\":[").getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < objects.size(); i++) {
                if (i > 0) {
                    body.write(',');
                }
                objects.writeJson(i, body);
            }
            body.write("]}".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return body.toByteArray();
    }

    private List<Rejected> rejected(RowBatch objects, String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        JsonNode errors;
        try {
            errors = JSON.readTree(text).path("errors");
        } catch (IOException e) {
            throw new SinkException("STIX upload answered 200 with a body that is not JSON", e);
        }
        Set<Integer> seen = new HashSet<>();
        List<Rejected> rejected = new ArrayList<>();
        for (JsonNode error : errors) {
            int index = error.path("recordIndex").asInt(-1);
            if (index >= 0 && index < objects.size() && seen.add(index)) {
                rejected.add(new Rejected(objects, index, "rejected by Sentinel: " + error.path("errorMessages")));
            }
        }
        if (!rejected.isEmpty()) {
            LOG.warn("Sentinel rejected {} of {} STIX objects; first reason: {}", rejected.size(), objects.size(),
                    rejected.get(0).reason());
        }
        return rejected;
    }

    @Override
    public String describe() {
        return "Sentinel STIX upload " + url.replaceAll("\\?.*", "");
    }
}
