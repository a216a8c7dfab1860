package com.mimecastsentinel.checkpoint;

/**
 * Leases under names of their own (a backfill's), so that a backfill of a log type runs beside the live
 * connector's run of it instead of waiting for its lease; two backfills of the same range still exclude each other.
 */
public final class PrefixedLeases implements Leases {
    private final Leases leases;
    private final String prefix;

    public PrefixedLeases(Leases leases, String prefix) {
        this.leases = leases;
        this.prefix = prefix;
    }

    @Override
    public boolean tryHold(String logType) {
        return leases.tryHold(prefix + logType);
    }

    @Override
    public boolean holds(String logType) {
        return leases.holds(prefix + logType);
    }

    @Override
    public void releaseAll() {
        leases.releaseAll();
    }

    @Override
    public String describe() {
        return leases.describe() + " (names " + prefix + "<logType>)";
    }
}
