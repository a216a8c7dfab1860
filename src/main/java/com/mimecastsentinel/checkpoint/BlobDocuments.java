package com.mimecastsentinel.checkpoint;

import java.io.ByteArrayOutputStream;
import java.util.Optional;

import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.azure.storage.blob.BlobConstants;

/**
 * Small JSON documents under a folder of the connector's Blob container, read and written through
 * camel-azure-storage-blob ({@code getBlob}, {@code uploadBlockBlob}) with the component's {@code BlobServiceClient},
 * each write conditional: {@code If-Match} the version read, or {@code If-None-Match: *} for a new one. The
 * checkpoints ({@value #CHECKPOINTS}) and the dead letters ({@value #DEAD_LETTERS}) live here.
 */
public final class BlobDocuments implements CheckpointStore, com.mimecastsentinel.deadletter.DeadLetters.Store {
    public static final String CHECKPOINTS = "checkpoints/";
    public static final String DEAD_LETTERS = "dead-letter/";

    private final ProducerTemplate producer;
    private final String endpoint;
    private final String container;
    private final String prefix;

    /**
     * @param endpoint the container's endpoint URI ({@code azure-storage-blob://<account>/<container>?…})
     */
    public BlobDocuments(ProducerTemplate producer, String endpoint, String container, String prefix) {
        this.producer = producer;
        this.endpoint = endpoint;
        this.container = container;
        this.prefix = prefix;
    }

    @Override
    public Optional<Stored> read(String name) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        Exchange answer = producer.send(endpoint, exchange -> {
            exchange.getMessage().setHeader(BlobConstants.BLOB_OPERATION, "getBlob");
            exchange.getMessage().setHeader(BlobConstants.BLOB_NAME, prefix + name);
            exchange.getMessage().setBody(content); // downloaded into it, the ETag in a header
        });
        BlobStorageException failure = blobFailure(answer.getException());
        if (failure != null && failure.getStatusCode() == 404) {
            return Optional.empty();
        }
        rethrow(answer.getException());
        return Optional.of(new Stored(content.toByteArray(),
                answer.getMessage().getHeader(BlobConstants.E_TAG, String.class)));
    }

    @Override
    public String write(String name, byte[] content, String expectedEtag) {
        BlobRequestConditions conditions = expectedEtag == null ? new BlobRequestConditions().setIfNoneMatch("*")
                : new BlobRequestConditions().setIfMatch(expectedEtag);
        Exchange answer = producer.send(endpoint, exchange -> {
            exchange.getMessage().setHeader(BlobConstants.BLOB_OPERATION, "uploadBlockBlob");
            exchange.getMessage().setHeader(BlobConstants.BLOB_NAME, prefix + name);
            exchange.getMessage().setHeader(BlobConstants.BLOB_REQUEST_CONDITION, conditions);
            exchange.getMessage().setBody(content);
        });
        BlobStorageException failure = blobFailure(answer.getException());
        if (failure != null && (failure.getStatusCode() == 412 || failure.getStatusCode() == 409)) {
            throw new CheckpointConflictException(name);
        }
        rethrow(answer.getException());
        return answer.getMessage().getHeader(BlobConstants.E_TAG, String.class);
    }

    /** A dead letter: written once, never over another. */
    @Override
    public boolean write(String name, byte[] document) {
        try {
            write(name, document, null);
            return true;
        } catch (CheckpointConflictException written) {
            return false;
        }
    }

    private static BlobStorageException blobFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof BlobStorageException blob) {
                return blob;
            }
        }
        return null;
    }

    private static void rethrow(Exception failure) {
        if (failure == null) {
            return;
        }
        Throwable cause = failure instanceof CamelExecutionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof RuntimeException runtime) {
            throw runtime;
        }
        throw new IllegalStateException(cause);
    }

    @Override
    public String describe() {
        return "blob container " + container + " under " + prefix;
    }
}
