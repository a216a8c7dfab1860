package com.mimecastsentinel.checkpoint;

/**
 * One writer per log type across instances sharing a checkpoint store: the instance holding a log type's lease
 * runs it, the others stand by and take over once the lease lapses.
 */
public interface Leases {

    /** Acquires the log type's lease, or renews it when this instance holds it; false when another does. */
    boolean tryHold(String logType);

    /** Whether this instance holds the lease now (as far as it knows). */
    boolean holds(String logType);

    /** Gives every held lease up, so a standby can take over at once (graceful shutdown). */
    void releaseAll();

    String describe();
}
