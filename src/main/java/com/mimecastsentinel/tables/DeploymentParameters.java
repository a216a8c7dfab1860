package com.mimecastsentinel.tables;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An ARM deployment parameters file, the one a user passes to {@code az deployment group create --parameters @file}
 * ({@code {"parameters": {"<name>": {"value": …}}}}): the table names and the workspace come from the same file
 * the deployment will use, so the command prepares the tables the deployment will write to.
 */
public record DeploymentParameters(Map<String, JsonNode> values) {
    public static final DeploymentParameters NONE = new DeploymentParameters(Map.of());

    /** @throws IllegalArgumentException naming the file when it cannot be read or is not a parameters file */
    public static DeploymentParameters read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the parameters file " + file + ": " + e.getMessage());
        }
        JsonNode parameters = root == null ? null : root.get("parameters");
        if (parameters == null || !parameters.isObject()) {
            throw new IllegalArgumentException(file + " is not a deployment parameters file (no \"parameters\" "
                    + "object)");
        }
        Map<String, JsonNode> values = new LinkedHashMap<>();
        // a Key Vault reference has no "value": it is no table name or workspace, and is left out
        parameters.fields().forEachRemaining(p -> {
            if (p.getValue().has("value")) {
                values.put(p.getKey(), p.getValue().get("value"));
            }
        });
        return new DeploymentParameters(Map.copyOf(values));
    }

    public Optional<String> workspaceResourceId() {
        return Optional.ofNullable(values.get("workspaceResourceId")).filter(JsonNode::isTextual)
                .map(JsonNode::asText);
    }
}
