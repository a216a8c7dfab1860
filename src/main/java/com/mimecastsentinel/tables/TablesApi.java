package com.mimecastsentinel.tables;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.logging.Secrets;
import com.mimecastsentinel.sentinel.AzureClients;

/**
 * The Log Analytics Tables API of one workspace, through Azure Resource Manager (api-version {@value #API_VERSION},
 * the template's): read a table, PUT its whole schema, migrate a classic table. The connector's Resource Manager pipeline
 * ({@link AzureClients#resourceManager}): its HTTP client, retries (429 honouring {@code Retry-After}, 5xx) and a
 * bearer token for the cloud's Resource Manager, which the pipeline sends only over https.
 */
public final class TablesApi {
    public static final String API_VERSION = "2022-10-01";
    private static final Pattern WORKSPACE = Pattern.compile("/subscriptions/[^/?#\\s]+/resourceGroups/[^/?#\\s]+"
            + "/providers/Microsoft\\.OperationalInsights/workspaces/[^/?#\\s]+", Pattern.CASE_INSENSITIVE);
    /** 404 codes that say the workspace (not the table) is not there. */
    private static final Set<String> NO_WORKSPACE = Set.of("ResourceGroupNotFound", "SubscriptionNotFound",
            "ParentResourceNotFound", "WorkspaceNotFound");
    private static final int MAX_DETAIL = 400;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpPipeline pipeline;
    private final String resourceManager;
    private final String workspace;

    public TablesApi(HttpPipeline pipeline, String resourceManager, String workspace) {
        this.pipeline = pipeline;
        this.resourceManager = resourceManager.replaceAll("/+$", "");
        this.workspace = workspaceId(workspace);
    }

    /** Through AZURE_CLOUD's Resource Manager (or AZURE_RESOURCE_MANAGER_ENDPOINT), as the connector's identity. */
    public static TablesApi create(Settings settings, String workspace) {
        return new TablesApi(new AzureClients(settings).resourceManager(), settings.resourceManagerEndpoint, workspace);
    }

    /**
     * A workspace resource id, without a trailing slash.
     *
     * @throws IllegalArgumentException when it is not {@code /subscriptions/…/resourceGroups/…/providers/
     *                                  Microsoft.OperationalInsights/workspaces/…}
     */
    public static String workspaceId(String value) {
        String id = value.strip().replaceAll("/+$", "");
        if (!WORKSPACE.matcher(id).matches()) {
            throw new IllegalArgumentException("not a workspace resource id: '" + value + "' (expected /subscriptions/"
                    + "<id>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>)");
        }
        return id;
    }

    public String workspace() {
        return workspace;
    }

    public String path(String table) {
        return workspace + "/tables/" + table + "?api-version=" + API_VERSION;
    }

    public String migratePath(String table) {
        return workspace + "/tables/" + table + "/migrate?api-version=" + API_VERSION;
    }

    /** @return the table, or empty when the workspace has none of that name (404) */
    public Optional<ExistingTable> get(String table) {
        Answer answer = send(HttpMethod.GET, path(table), null);
        if (answer.status == 404 && !NO_WORKSPACE.contains(answer.code())) {
            return Optional.empty();
        }
        if (answer.status == 404) {
            throw answer.failure("GET", path(table), "the workspace was not found: check the workspace resource id");
        }
        if (answer.status != 200) {
            throw answer.failure("GET", path(table), null);
        }
        return Optional.of(ExistingTable.of(answer.body));
    }

    /** PUT of the whole schema; @return 200, 201 or 202 (the service applies it asynchronously) */
    int put(String table, JsonNode body) {
        Answer answer = send(HttpMethod.PUT, path(table), body);
        if (answer.status != 200 && answer.status != 201 && answer.status != 202) {
            throw answer.failure("PUT", path(table), null);
        }
        return answer.status;
    }

    /** Turns a classic table into a DCR-based one, its columns and data kept; @return the status */
    int migrate(String table) {
        Answer answer = send(HttpMethod.POST, migratePath(table), null);
        if (answer.status != 200 && answer.status != 202 && answer.status != 204) {
            throw answer.failure("POST", migratePath(table), null);
        }
        return answer.status;
    }

    private Answer send(HttpMethod method, String path, JsonNode body) {
        HttpRequest request = new HttpRequest(method, resourceManager + path);
        if (body != null) {
            request.setHeader(HttpHeaderName.CONTENT_TYPE, "application/json")
                    .setBody(BinaryData.fromString(body.toString()));
        }
        try (HttpResponse response = pipeline.sendSync(request, Context.NONE)) {
            BinaryData data = response.getBodyAsBinaryData();
            String text = data == null ? "" : data.toString();
            JsonNode parsed;
            try {
                parsed = text.isBlank() ? MissingNode.getInstance() : json.readTree(text);
            } catch (IOException e) {
                parsed = MissingNode.getInstance();
            }
            if (response.getStatusCode() == 200 && method == HttpMethod.GET && !parsed.isObject()) {
                throw new TablesApiException("GET", path, 200, "", "the answer is not a JSON object");
            }
            return new Answer(response.getStatusCode(), parsed);
        }
    }

    private record Answer(int status, JsonNode body) {
        String code() {
            return body.path("error").path("code").asText("");
        }

        TablesApiException failure(String method, String path, String explanation) {
            String message = body.path("error").path("message").asText("");
            if (message.length() > MAX_DETAIL) {
                message = message.substring(0, MAX_DETAIL) + "…";
            }
            String detail = explanation != null ? explanation : Secrets.mask(message);
            return new TablesApiException(method, path, status, code(), detail);
        }
    }
}
