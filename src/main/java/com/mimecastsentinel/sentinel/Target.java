package com.mimecastsentinel.sentinel;

/**
 * Where one account's rows go when it is not where the settings say (SENTINEL_*): its Logs Ingestion endpoint and
 * DCR, its Awareness Training DCR, its workspace (threat intelligence). A null field is the settings' one. The
 * {@code mimecast} consumer puts a declared account's target on each batch's exchange (the variable
 * {@value SentinelEndpoint#TARGET}); the {@code sentinel:} producer sends there.
 */
public record Target(String ingestionEndpoint, String dcrId, String awarenessIngestionEndpoint, String awarenessDcrId,
        String workspaceId) {

    public static final Target SETTINGS = new Target(null, null, null, null, null);

    /**
     * The DCR a batch for {@code endpoint} goes to: the endpoint's DCR as the settings name it (the default, or the
     * Awareness Training one), or this target's counterpart where it names one; a DCR a route names otherwise stays.
     */
    SentinelComponent.Dcr dcr(SentinelComponent.Dcr endpoint, SentinelComponent.Dcr settingsAwareness) {
        if (endpoint.equals(SentinelComponent.Dcr.CONFIGURED)) {
            return dcrId == null ? endpoint : new SentinelComponent.Dcr(ingestionEndpoint, dcrId);
        }
        if (endpoint.equals(settingsAwareness) && awarenessDcrId != null) {
            return new SentinelComponent.Dcr(awarenessIngestionEndpoint, awarenessDcrId);
        }
        return endpoint;
    }
}
