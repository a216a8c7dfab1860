package com.mimecastsentinel.checkpoint;

/** A conditional write lost a race: someone else changed the checkpoint since we read it. Nothing is overwritten. */
public class CheckpointConflictException extends RuntimeException {
    public CheckpointConflictException(String name) {
        super("checkpoint " + name + " was changed by another writer since it was read; not overwritten");
    }
}
