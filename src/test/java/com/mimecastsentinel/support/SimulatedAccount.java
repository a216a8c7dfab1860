package com.mimecastsentinel.support;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.Application;
import com.mimecastsentinel.demo.MimecastSimulator;

/**
 * A Mimecast account played by the simulator over HTTPS, Azure played by {@link AzureFake}, and a fresh Blob
 * container on Azurite (the test needs {@code @ExtendWith(Azurite.class)}): runs the connector against them.
 */
public final class SimulatedAccount implements AutoCloseable {
    public final MimecastSimulator simulator;
    public final AzureFake azure = new AzureFake();
    public final String container = "sim-" + UUID.randomUUID().toString().substring(0, 8);
    public final LocalDate start = LocalDate.now(ZoneOffset.UTC).minusDays(1);
    private final ObjectMapper json = new ObjectMapper();

    public SimulatedAccount(Duration eventInterval) {
        simulator = new MimecastSimulator(0, eventInterval, TestTls.serverContext());
        simulator.start();
    }

    /** Runs one log type with RUN_ONCE from {@link #start}; {@code extra} adds or overrides variables. */
    public int runOnce(String logType, Map<String, String> extra) {
        return Application.run(Settings4Tests.properties(environment(logType, extra)));
    }

    /** The environment variables of a RUN_ONCE run of {@code logType} against this account. */
    public Map<String, String> environment(String logType, Map<String, String> extra) {
        Map<String, String> env = new LinkedHashMap<>(azure.environment());
        env.put("MIMECAST_BASE_URL", simulator.url().toString());
        // the simulator's file URLs point at it, on this machine
        env.put("MIMECAST_ALLOW_PRIVATE_HOSTS", "localhost");
        env.put("MIMECAST_CLIENT_ID", MimecastSimulator.DEMO_CLIENT_ID);
        env.put("MIMECAST_CLIENT_SECRET", MimecastSimulator.DEMO_CLIENT_SECRET);
        env.put("CHECKPOINT_STORE", "blob");
        env.put("AZURE_STORAGE_CONNECTION_STRING", Azurite.connectionString());
        env.put("CHECKPOINT_CONTAINER", container);
        env.put("START_DATE", start.toString());
        env.put("MIMECAST_LOG_TYPES", logType);
        env.put("RUN_ONCE", "true");
        env.putAll(extra);
        return env;
    }

    public JsonNode checkpoint(String logType) throws Exception {
        return json.readTree(new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .getBlobContainerClient(container).getBlobClient("checkpoints/" + logType + ".json")
                .downloadContent().toBytes());
    }

    /** The checkpoint of a log type, or null when none was written. */
    public JsonNode checkpointIfAny(String logType) throws Exception {
        var blob = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .getBlobContainerClient(container).getBlobClient("checkpoints/" + logType + ".json");
        return blob.exists() ? json.readTree(blob.downloadContent().toBytes()) : null;
    }

    /** The dead-letter documents written for a log type. */
    public java.util.List<JsonNode> deadLetters(String logType) throws Exception {
        var container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .getBlobContainerClient(this.container);
        java.util.List<JsonNode> documents = new java.util.ArrayList<>();
        for (var item : container.listBlobsByHierarchy("dead-letter/" + logType + "/")) {
            documents.add(json.readTree(container.getBlobClient(item.getName()).downloadContent().toBytes()));
        }
        return documents;
    }

    @Override
    public void close() {
        simulator.stop();
        azure.close();
    }
}
