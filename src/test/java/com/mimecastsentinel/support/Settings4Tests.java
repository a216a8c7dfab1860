package com.mimecastsentinel.support;

import java.util.Map;
import java.util.Properties;

/** Environment variables (as README names them) to their application.properties keys, for in-JVM runs. */
public final class Settings4Tests {
    private static final Map<String, String> PROPERTY_KEYS = Map.ofEntries(
            Map.entry("MIMECAST_BASE_URL", "mimecast.base-url"),
            Map.entry("MIMECAST_CLIENT_ID", "mimecast.client-id"),
            Map.entry("MIMECAST_CLIENT_SECRET", "mimecast.client-secret"),
            Map.entry("MIMECAST_PAGE_SIZE", "mimecast.page-size"),
            Map.entry("MIMECAST_MAX_ATTEMPTS", "mimecast.max-attempts"),
            Map.entry("MIMECAST_APP_ID", "mimecast.app-id"), Map.entry("MIMECAST_APP_KEY", "mimecast.app-key"),
            Map.entry("MIMECAST_ACCESS_KEY", "mimecast.access-key"),
            Map.entry("MIMECAST_SECRET_KEY", "mimecast.secret-key"),
            Map.entry("AZURE_TENANT_ID", "azure.tenant-id"), Map.entry("AZURE_CLIENT_ID", "azure.client-id"),
            Map.entry("AZURE_CLIENT_SECRET", "azure.client-secret"),
            Map.entry("AZURE_AUTHORITY_HOST", "azure.authority-host"),
            Map.entry("SENTINEL_INGESTION_ENDPOINT", "sentinel.ingestion-endpoint"),
            Map.entry("SENTINEL_DCR_ID", "sentinel.dcr-id"),
            Map.entry("SENTINEL_WORKSPACE_ID", "sentinel.workspace-id"),
            Map.entry("SENTINEL_TI_ENDPOINT", "sentinel.ti-endpoint"), Map.entry("CHECKPOINT_STORE", "checkpoint.store"),
            Map.entry("AZURE_STORAGE_CONNECTION_STRING", "azure.storage.connection-string"),
            Map.entry("CHECKPOINT_CONTAINER", "checkpoint.container"), Map.entry("START_DATE", "start-date"),
            Map.entry("MIMECAST_LOG_TYPES", "mimecast.log-types"), Map.entry("RUN_ONCE", "run-once"));

    private Settings4Tests() {
    }

    public static Properties properties(Map<String, String> environment) {
        Properties properties = new Properties();
        environment.forEach((variable, value) -> {
            String key = PROPERTY_KEYS.get(variable);
            if (key == null) {
                throw new IllegalArgumentException("no property key known for " + variable);
            }
            properties.put(key, value);
        });
        return properties;
    }
}
