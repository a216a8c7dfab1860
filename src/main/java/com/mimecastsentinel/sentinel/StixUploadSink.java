package com.mimecastsentinel.sentinel;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.BearerTokenAuthenticationPolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.util.BinaryData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Threat indicators to Microsoft Sentinel through the STIX objects upload API (at most 100 objects a request),
 * with an Azure SDK pipeline: bearer token for {@code https://management.azure.com/.default} and the SDK's
 * retry policy (429/5xx, honouring {@code Retry-After}). A 200 may list rejected objects by index: those are
 * returned as rejected, the rest count as delivered.
 */
public final class StixUploadSink {
    private static final Logger LOG = LoggerFactory.getLogger(StixUploadSink.class);
    public static final int MAX_OBJECTS = 100;
    static final String SCOPE = "https://management.azure.com/.default";

    /** The outcome of one upload: objects accepted and objects rejected with Sentinel's reasons. */
    public record Result(List<ObjectNode> accepted, List<ObjectNode> rejected, List<String> reasons) {
    }

    private final HttpPipeline pipeline;
    private final String url;
    private final String sourceSystem;
    private final ObjectMapper json;

    public StixUploadSink(HttpClient http, TokenCredential credential, String endpoint, String workspaceId,
            String sourceSystem, ObjectMapper json) {
        this.pipeline = new HttpPipelineBuilder().httpClient(http)
                .policies(new RetryPolicy(), new BearerTokenAuthenticationPolicy(credential, SCOPE)).build();
        this.url = endpoint.replaceAll("/+$", "") + "/workspaces/" + workspaceId
                + "/threat-intelligence-stix-objects:upload?api-version=2024-02-01-preview";
        this.sourceSystem = sourceSystem;
        this.json = json;
    }

    public Result upload(List<ObjectNode> objects) {
        if (objects.size() > MAX_OBJECTS) {
            throw new IllegalArgumentException("at most " + MAX_OBJECTS + " STIX objects per request");
        }
        if (objects.isEmpty()) {
            return new Result(List.of(), List.of(), List.of());
        }
        ObjectNode body = json.createObjectNode().put("sourcesystem", sourceSystem);
        ArrayNode array = body.putArray("stixobjects");
        objects.forEach(array::add);
        HttpRequest request = new HttpRequest(HttpMethod.POST, url)
                .setHeader(HttpHeaderName.CONTENT_TYPE, "application/json")
                .setBody(BinaryData.fromString(body.toString()));
        try (HttpResponse response = pipeline.sendSync(request, com.azure.core.util.Context.NONE)) {
            int status = response.getStatusCode();
            String text = response.getBodyAsBinaryData() == null ? "" : response.getBodyAsBinaryData().toString();
            if (status == 403) {
                throw new SinkException("STIX upload answered 403: grant the connector's identity 'Microsoft "
                        + "Sentinel Contributor' on the workspace", null);
            }
            if (status != 200) {
                throw new SinkException("STIX upload answered HTTP " + status, null);
            }
            return result(objects, text);
        }
    }

    private Result result(List<ObjectNode> objects, String text) {
        if (text == null || text.isBlank()) {
            return new Result(objects, List.of(), List.of());
        }
        JsonNode errors;
        try {
            errors = json.readTree(text).path("errors");
        } catch (IOException e) {
            throw new SinkException("STIX upload answered 200 with a body that is not JSON", e);
        }
        Set<Integer> rejectedIndexes = new HashSet<>();
        List<ObjectNode> rejected = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (JsonNode error : errors) {
            int index = error.path("recordIndex").asInt(-1);
            if (index >= 0 && index < objects.size() && rejectedIndexes.add(index)) {
                rejected.add(objects.get(index));
                reasons.add(error.path("errorMessages").toString());
            }
        }
        List<ObjectNode> accepted = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            if (!rejectedIndexes.contains(i)) {
                accepted.add(objects.get(i));
            }
        }
        if (!rejected.isEmpty()) {
            LOG.warn("Sentinel rejected {} of {} STIX objects; first reason: {}", rejected.size(), objects.size(),
                    reasons.get(0));
        }
        return new Result(accepted, rejected, reasons);
    }
}
