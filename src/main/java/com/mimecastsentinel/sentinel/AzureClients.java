package com.mimecastsentinel.sentinel;

import java.net.URI;
import java.util.Set;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.policy.BearerTokenAuthenticationPolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.monitor.ingestion.LogsIngestionClient;
import com.azure.monitor.ingestion.LogsIngestionClientBuilder;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.mimecastsentinel.config.AzureCloud;
import com.mimecastsentinel.config.Settings;

/** Builds the Azure SDK clients from the settings, all on the JDK HTTP transport. */
public final class AzureClients {
    private static final Set<String> PUBLIC_AUTHORITIES = Set.of("login.microsoftonline.com",
            "login.microsoftonline.us", "login.chinacloudapi.cn", "login.partner.microsoftonline.cn");

    private final Settings settings;
    private final HttpClient http;
    /** A check's clients: two attempts a request, a timeout of {@code quick} per answer (null: the SDK's). */
    private final java.time.Duration quick;
    private TokenCredential credential;
    /** The credentials of other tenants (a destination's tenantId), made when first used. */
    private final java.util.Map<String, TokenCredential> tenants = new java.util.concurrent.ConcurrentHashMap<>();

    public AzureClients(Settings settings) {
        this(settings, null);
    }

    /** @param quick for the check command: at most two attempts a request, and no answer waited for longer */
    public AzureClients(Settings settings, java.time.Duration quick) {
        this.settings = settings;
        this.quick = quick;
        JdkHttpClientBuilder builder = new JdkHttpClientBuilder();
        if (quick != null) {
            builder.connectionTimeout(quick).responseTimeout(quick).readTimeout(quick).writeTimeout(quick);
        }
        this.http = builder.build();
    }

    /** Client secret when one is set, otherwise managed / workload identity and the rest of DefaultAzureCredential. */
    public synchronized TokenCredential credential() {
        if (credential != null) {
            return credential;
        }
        if (settings.azureClientSecret != null) {
            credential = clientSecret(settings.azureTenantId);
        } else {
            DefaultAzureCredentialBuilder builder = new DefaultAzureCredentialBuilder().httpClient(http);
            if (settings.azureTenantId != null) {
                builder.tenantId(settings.azureTenantId);
            }
            if (settings.azureClientId != null) {
                builder.managedIdentityClientId(settings.azureClientId)
                        .workloadIdentityClientId(settings.azureClientId);
            }
            if (authorityHost() != null) {
                builder.authorityHost(authorityHost());
            }
            credential = builder.build();
        }
        credential = new CachedTokenCredential(new CloudScopes(credential, settings.azureCloud),
                java.time.Clock.systemUTC());
        return credential;
    }

    /**
     * The credential for {@code tenantId}'s resources (null: AZURE_TENANT_ID's, {@link #credential()}): the same
     * application (AZURE_CLIENT_ID and its secret: a multi-tenant app registration, consented in that tenant),
     * its tokens asked from that tenant. The Logs Ingestion API and Resource Manager take tokens of the resource's
     * own tenant only.
     */
    public TokenCredential credential(String tenantId) {
        if (tenantId == null || tenantId.equalsIgnoreCase(settings.azureTenantId)) {
            return credential();
        }
        if (settings.azureClientSecret == null) {
            throw new com.mimecastsentinel.config.ConfigurationException("AZURE_CLIENT_SECRET", "is required for a "
                    + "destination in another tenant (" + tenantId + "): a managed identity has tokens of its own "
                    + "tenant only");
        }
        return tenants.computeIfAbsent(tenantId.toLowerCase(java.util.Locale.ROOT), tenant ->
                new CachedTokenCredential(new CloudScopes(clientSecret(tenant), settings.azureCloud),
                        java.time.Clock.systemUTC()));
    }

    /** The application's client secret credential, its tokens asked from {@code tenant}. */
    private TokenCredential clientSecret(String tenant) {
        ClientSecretCredentialBuilder builder = new ClientSecretCredentialBuilder().tenantId(tenant)
                .clientId(settings.azureClientId).clientSecret(settings.azureClientSecret).httpClient(http);
        if (authorityHost() != null) {
            builder.authorityHost(authorityHost());
            if (!PUBLIC_AUTHORITIES.contains(URI.create(authorityHost()).getHost())) {
                builder.disableInstanceDiscovery(); // a private authority cannot be discovered
            }
        }
        return builder.build();
    }

    /** AZURE_AUTHORITY_HOST, else the cloud's (the SDK's own default is the public cloud's). */
    private String authorityHost() {
        return settings.azureAuthorityHost != null ? settings.azureAuthorityHost
                : settings.azureCloud != AzureCloud.PUBLIC ? settings.azureCloud.authorityHost : null;
    }

    /** The Logs Ingestion API for a DCR: the configured one (SENTINEL_DCR_ID) unless the endpoint names another. */
    public LogsIngestion logsIngestion(SentinelComponent.Dcr dcr) {
        String endpoint = dcr.ingestionEndpoint() != null ? dcr.ingestionEndpoint() : settings.ingestionEndpoint;
        if (dcr.ingestionEndpoint() != null) {
            settings.requireIngestionEndpoint(endpoint, "the ingestionEndpoint option of a sentinel: endpoint");
        }
        String dcrId = dcr.dcrId() != null ? dcr.dcrId() : settings.dcrId;
        LogsIngestionClient client = new LogsIngestionClientBuilder().endpoint(endpoint)
                .credential(credential(dcr.tenantId())).httpClient(http).retryOptions(retries()).buildClient();
        return new LogsIngestion(client, endpoint, dcrId, dcr.tenantId());
    }

    /** The storage account's name, for the blob endpoint's URI (the client says where it really is). */
    public String storageAccountName() {
        if (settings.storageConnectionString != null) {
            for (String part : settings.storageConnectionString.split(";")) {
                if (part.startsWith("AccountName=")) {
                    return part.substring("AccountName=".length());
                }
            }
            return "account";
        }
        return URI.create(settings.storageAccountUrl).getHost().split("\\.")[0];
    }

    /** The STIX objects upload to a workspace: its own, or SENTINEL_WORKSPACE_ID's when it names none. */
    public StixUpload stixUpload(SentinelComponent.Workspace to) {
        String workspace = to.workspaceId() != null ? to.workspaceId() : settings.workspaceId;
        if (workspace == null) {
            throw new com.mimecastsentinel.config.ConfigurationException("SENTINEL_WORKSPACE_ID",
                    "is required to send threat intelligence to Sentinel");
        }
        if (settings.threatIntelEndpoint == null) {
            throw new com.mimecastsentinel.config.ConfigurationException("SENTINEL_TI_ENDPOINT", "is required to send "
                    + "threat intelligence in " + settings.azureCloud.cloudName + " (no documented default there)");
        }
        return new StixUpload(resourceManager(to.tenantId()), settings.threatIntelEndpoint, workspace,
                settings.threatIntelSource);
    }

    /**
     * Requests to Azure Resource Manager (the STIX upload, the Tables API): this client, the retries below and a
     * bearer token for the cloud's Resource Manager (AZURE_RESOURCE_MANAGER_ENDPOINT).
     */
    public HttpPipeline resourceManager() {
        return resourceManager(null);
    }

    /** Requests to Azure Resource Manager with tokens of {@code tenantId} (null: AZURE_TENANT_ID). */
    public HttpPipeline resourceManager(String tenantId) {
        return new HttpPipelineBuilder().httpClient(http).policies(new RetryPolicy(retries()),
                new BearerTokenAuthenticationPolicy(credential(tenantId), settings.resourceManagerEndpoint
                        + "/.default"))
                .build();
    }

    /**
     * The retries of one request to Sentinel (the SDK's policy: 408, 429, 5xx and broken connections, waiting as
     * {@code Retry-After} says, else backing off from 0.8 s to at most 30 s): MIMECAST_MAX_ATTEMPTS attempts of each
     * request, whatever earlier requests of the run met.
     */
    private RetryOptions retries() {
        int attempts = quick != null ? Math.min(2, settings.maxAttempts) : settings.maxAttempts;
        return new RetryOptions(new ExponentialBackoffOptions().setMaxRetries(attempts - 1)
                .setBaseDelay(java.time.Duration.ofMillis(800)).setMaxDelay(java.time.Duration.ofSeconds(30)));
    }

    public BlobServiceClient blobService() {
        // a few quick tries here; an unavailable store is waited for above, where the cost of giving up is known
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder().httpClient(http)
                .retryOptions(new com.azure.storage.common.policy.RequestRetryOptions(
                        com.azure.storage.common.policy.RetryPolicyType.EXPONENTIAL, quick != null ? 2 : 3,
                        quick != null ? (int) quick.toSeconds() : 30, 500L, 4000L, null));
        if (settings.storageConnectionString != null) {
            builder.connectionString(settings.storageConnectionString);
        } else {
            builder.endpoint(settings.storageAccountUrl).credential(credential());
        }
        return builder.buildClient();
    }
}
