package com.mimecastsentinel.check;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

import com.azure.core.credential.TokenRequestContext;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.specialized.BlobLeaseClient;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import com.mimecastsentinel.ConnectorConfiguration;
import com.mimecastsentinel.checkpoint.BlobDocuments;
import com.mimecastsentinel.checkpoint.CheckpointStore;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.sentinel.AzureClients;

/** The check command's Azure checks that come before any route: the identity's tokens, the checkpoint container. */
final class AzureChecks {
    /** Azure Storage's audience, the same in every cloud. */
    static final String STORAGE_SCOPE = "https://storage.azure.com/.default";
    /** The Logs Ingestion audience as the SDK asks for it (the connector's credential maps it to AZURE_CLOUD's). */
    static final String MONITOR_SCOPE = com.mimecastsentinel.config.AzureCloud.PUBLIC_MONITOR_SCOPE;

    private AzureChecks() {
    }

    /** A token of the connector's identity for {@code scope}: what a run's first request of that kind needs. */
    static CheckResult token(AzureClients azure, Settings settings, String audience, String scope) {
        String check = "azure token (" + audience + ")";
        try {
            var token = azure.credential().getTokenSync(new TokenRequestContext().addScopes(scope));
            if (token == null || token.getToken() == null) {
                return CheckResult.fail(check, "no token for " + scope, identityFix(settings));
            }
            return CheckResult.pass(check, "a token for " + settings.azureCloud.scope(scope) + " ("
                    + identity(settings) + ")");
        } catch (RuntimeException e) {
            return CheckResult.fail(check, "no token for " + settings.azureCloud.scope(scope) + " (" + identity(settings)
                    + "): " + firstLine(e), identityFix(settings));
        }
    }

    private static String identity(Settings settings) {
        return settings.azureClientSecret != null ? "client secret of app " + settings.azureClientId + " in tenant "
                + settings.azureTenantId : "managed or workload identity"
                + (settings.azureClientId != null ? " " + settings.azureClientId : "");
    }

    private static String identityFix(Settings settings) {
        return settings.azureClientSecret != null
                ? "check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (an app registration's secret, not "
                        + "its id), and AZURE_CLOUD"
                : "give this host a managed identity (or workload identity) and set AZURE_CLIENT_ID to it, or set "
                        + "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET";
    }

    /**
     * The checkpoint container as a run uses it: it exists (or is created), and a probe document is written and read
     * back through the connector's own store (camel-azure-storage-blob), leased, and deleted. Nothing of the
     * connector's documents is touched.
     */
    static CheckResult blob(org.apache.camel.CamelContext camel, Settings settings, AzureClients azure) {
        String check = "checkpoint store";
        String container = settings.checkpointContainer;
        String step = "reach the storage account";
        String name = "check/" + UUID.randomUUID() + ".json";
        BlobClient blob = null;
        BlobLeaseClient lease = null;
        try {
            BlobServiceClient service = azure.blobService();
            BlobContainerClient client = service.getBlobContainerClient(container);
            blob = client.getBlobClient(BlobDocuments.CHECKPOINTS + name);
            // looked at before it is created: a SAS of the container alone may read it, not create it
            step = "see whether container " + container + " exists";
            boolean created = false;
            if (!client.exists()) {
                step = "create container " + container;
                client.create();
                created = true;
            }
            CheckpointStore store = ConnectorConfiguration.blobDocuments(camel, settings, azure, service,
                    BlobDocuments.CHECKPOINTS);
            byte[] content = ("{\"check\":\"" + settings.instanceId.replaceAll("[^A-Za-z0-9:._/-]", "_") + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            step = "write a probe document";
            store.write(name, content, null);
            step = "read the probe document back";
            var read = store.read(name);
            if (read.isEmpty() || !Arrays.equals(read.get().content(), content)) {
                return CheckResult.fail(check, "container " + container + ": a probe document written was not read "
                        + "back the same", "check that nothing else rewrites " + container + " (versioning or "
                        + "immutability policies)");
            }
            step = "lease the probe document";
            BlobLeaseClient acquiring = new BlobLeaseClientBuilder().blobClient(blob).buildClient();
            acquiring.acquireLease(15);
            lease = acquiring;
            acquiring.releaseLease();
            lease = null;
            step = "delete the probe document";
            blob.delete();
            blob = null;
            return CheckResult.pass(check, "container " + container + (created ? " created" : " exists")
                    + "; a probe document was written, read back, leased and deleted");
        } catch (BlobStorageException e) {
            return CheckResult.fail(check, "could not " + step + " (HTTP " + e.getStatusCode() + " "
                    + e.getErrorCode() + ")", e.getStatusCode() == 403 ? "assign the connector's identity 'Storage "
                    + "Blob Data Contributor' on the storage account or container " + container + " (a SAS needs "
                    + "read, write, create, delete and list on the container)" : storageFix());
        } catch (RuntimeException e) {
            return CheckResult.fail(check, "could not " + step + ": " + firstLine(e), storageFix());
        } finally {
            removeQuietly(blob, lease);
        }
    }

    /** A probe document left by a step that failed: its lease released, the document deleted, if that can be. */
    private static void removeQuietly(BlobClient blob, BlobLeaseClient lease) {
        try {
            if (lease != null) {
                lease.releaseLease();
            }
            if (blob != null) {
                blob.deleteIfExists();
            }
        } catch (RuntimeException e) {
            // the identity may not delete (the failure reported says so); a probe under checkpoints/check/ is inert
        }
    }

    private static String storageFix() {
        return "check AZURE_STORAGE_ACCOUNT_URL (or AZURE_STORAGE_CONNECTION_STRING), CHECKPOINT_CONTAINER and that "
                + "this host reaches the account";
    }

    static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        String line = message.lines().findFirst().orElse("").strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
