package com.mimecastsentinel.checkpoint;

import java.time.Duration;
import java.util.Optional;

import com.azure.core.http.rest.Response;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobDownloadContentResponse;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.options.BlobParallelUploadOptions;

/** Checkpoints as block blobs under {@value #PREFIX} in the container, written with {@code If-Match} / {@code If-None-Match: *} so a lost race is detected. */
public final class BlobCheckpointStore implements CheckpointStore {
    public static final String PREFIX = "checkpoints/";
    private final BlobContainerClient container;
    private final Duration timeout;

    public BlobCheckpointStore(BlobContainerClient container, Duration timeout) {
        this.container = container;
        this.timeout = timeout;
    }

    /** Creates the container when it is missing: no hand-made empty files, unlike the Function App. */
    public BlobCheckpointStore ensureContainer() {
        container.createIfNotExists();
        return this;
    }

    @Override
    public Optional<Stored> read(String name) {
        try {
            BlobDownloadContentResponse response = container.getBlobClient(PREFIX + name)
                    .downloadContentWithResponse(null, null, timeout, Context.NONE);
            return Optional.of(new Stored(response.getValue().toBytes(), response.getDeserializedHeaders().getETag()));
        } catch (BlobStorageException e) {
            if (e.getErrorCode() == BlobErrorCode.BLOB_NOT_FOUND || e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public String write(String name, byte[] content, String expectedEtag) {
        BlobClient blob = container.getBlobClient(PREFIX + name);
        BlobRequestConditions conditions = new BlobRequestConditions();
        if (expectedEtag == null) {
            conditions.setIfNoneMatch("*");
        } else {
            conditions.setIfMatch(expectedEtag);
        }
        BlobParallelUploadOptions options = new BlobParallelUploadOptions(BinaryData.fromBytes(content))
                .setRequestConditions(conditions)
                .setHeaders(new BlobHttpHeaders().setContentType("application/json"));
        try {
            Response<BlockBlobItem> response = blob.uploadWithResponse(options, timeout, Context.NONE);
            return response.getValue().getETag();
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 412 || e.getStatusCode() == 409) {
                throw new CheckpointConflictException(name);
            }
            throw e;
        }
    }

    @Override
    public String describe() {
        return "blob container " + container.getBlobContainerName() + " at " + container.getAccountUrl();
    }
}
