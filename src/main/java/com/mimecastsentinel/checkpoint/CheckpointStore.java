package com.mimecastsentinel.checkpoint;

import java.util.Optional;

/** Where checkpoint documents live: Azure Blob in production, a directory for local runs. */
public interface CheckpointStore {

    /** A stored document and its version tag (ETag). */
    record Stored(byte[] content, String etag) {
    }

    Optional<Stored> read(String name);

    /**
     * Writes {@code name} only if it is still at {@code expectedEtag} (null: only if it does not exist yet).
     *
     * @return the new version tag
     * @throws CheckpointConflictException when another writer got there first
     */
    String write(String name, byte[] content, String expectedEtag);

    /** A short description for logs, without credentials. */
    String describe();
}
