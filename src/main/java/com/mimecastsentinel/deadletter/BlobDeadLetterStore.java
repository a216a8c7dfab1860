package com.mimecastsentinel.deadletter;

import java.time.Duration;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;

/** Dead letters as blobs under {@value #PREFIX} in the checkpoint container. */
public final class BlobDeadLetterStore implements DeadLetters.Store {
    public static final String PREFIX = "dead-letter/";
    private final BlobContainerClient container;
    private final Duration timeout;

    public BlobDeadLetterStore(BlobContainerClient container, Duration timeout) {
        this.container = container;
        this.timeout = timeout;
    }

    @Override
    public void write(String name, byte[] document) {
        container.getBlobClient(PREFIX + name).uploadWithResponse(new BlobParallelUploadOptions(
                BinaryData.fromBytes(document)).setHeaders(new BlobHttpHeaders().setContentType("application/json"))
                .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")), timeout, Context.NONE);
    }

    @Override
    public String describe() {
        return "blob container " + container.getBlobContainerName() + " under " + PREFIX;
    }
}
