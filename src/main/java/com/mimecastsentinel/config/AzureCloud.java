package com.mimecastsentinel.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The Azure cloud the connector talks to (AZURE_CLOUD, spelled as {@code az cloud list} does): where tokens come
 * from and for which audiences, and the default endpoints. Only the public cloud has a documented STIX upload
 * endpoint; in the others threat intelligence needs SENTINEL_TI_ENDPOINT.
 */
public enum AzureCloud {
    PUBLIC("AzureCloud", "https://login.microsoftonline.com", "https://management.azure.com",
            "https://monitor.azure.com", "ingest.monitor.azure.com", "https://api.ti.sentinel.azure.com"),
    US_GOVERNMENT("AzureUSGovernment", "https://login.microsoftonline.us", "https://management.usgovcloudapi.net",
            "https://monitor.azure.us", "ingest.monitor.azure.us", null),
    CHINA("AzureChinaCloud", "https://login.chinacloudapi.cn", "https://management.chinacloudapi.cn",
            "https://monitor.azure.cn", "ingest.monitor.azure.cn", null);

    /** The audience the Logs Ingestion client (1.1.0, no audience option) asks a token for: the public cloud's. */
    public static final String PUBLIC_MONITOR_SCOPE = "https://monitor.azure.com//.default";

    public final String cloudName;
    public final String authorityHost;
    public final String resourceManager;
    public final String monitorAudience;
    public final String ingestionDomain;
    public final String threatIntelEndpoint;

    AzureCloud(String cloudName, String authorityHost, String resourceManager, String monitorAudience,
            String ingestionDomain, String threatIntelEndpoint) {
        this.cloudName = cloudName;
        this.authorityHost = authorityHost;
        this.resourceManager = resourceManager;
        this.monitorAudience = monitorAudience;
        this.ingestionDomain = ingestionDomain;
        this.threatIntelEndpoint = threatIntelEndpoint;
    }

    /** The scope a token request should carry in this cloud, for one asked for with the public cloud's audience. */
    public String scope(String requested) {
        return this != PUBLIC && PUBLIC_MONITOR_SCOPE.equals(requested) ? monitorAudience + "//.default" : requested;
    }

    static AzureCloud parse(String value) {
        if (value == null || value.isBlank()) {
            return PUBLIC;
        }
        for (AzureCloud cloud : values()) {
            if (cloud.cloudName.equalsIgnoreCase(value.strip())) {
                return cloud;
            }
        }
        throw new ConfigurationException("AZURE_CLOUD", "must be one of " + Arrays.stream(values())
                .map(c -> c.cloudName).collect(Collectors.joining(", ")) + ", not '" + value.strip() + "'");
    }
}
