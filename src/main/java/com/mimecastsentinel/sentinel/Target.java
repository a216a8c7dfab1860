package com.mimecastsentinel.sentinel;

/**
 * Where one account's rows go when it is not where the settings say (SENTINEL_*): its Logs Ingestion endpoint and
 * DCR, its Awareness Training DCR, its workspace (threat intelligence). A null field is the settings' one.
 * {@code tenantId}: the Entra tenant of its own DCRs and workspace, whose tokens they take (null: AZURE_TENANT_ID).
 * {@code accountColumn}: its tables declare the {@code mimecastAccount} column (accounts sharing them), so each row
 * names its account. The
 * {@code mimecast} consumer puts a declared account's target on each batch's exchange (the variable
 * {@value SentinelEndpoint#TARGET}); the {@code sentinel:} producer sends there.
 */
public record Target(String ingestionEndpoint, String dcrId, String awarenessIngestionEndpoint, String awarenessDcrId,
        String workspaceId, String tenantId, boolean accountColumn) {

    public static final Target SETTINGS = new Target(null, null, null, null, null, null, false);

    /**
     * The DCR a batch for {@code endpoint} goes to: this target's Awareness Training DCR for an endpoint in that DCR
     * ({@code awareness=true}), its DCR for one in the settings' DCR, where it names them; otherwise the endpoint's.
     */
    SentinelComponent.Dcr dcr(SentinelEndpoint endpoint) {
        if (endpoint.isAwareness()) {
            return awarenessDcrId != null ? new SentinelComponent.Dcr(awarenessIngestionEndpoint, awarenessDcrId,
                    tenantId) : endpoint.dcr();
        }
        return dcrId != null && endpoint.dcr().equals(SentinelComponent.Dcr.CONFIGURED)
                ? new SentinelComponent.Dcr(ingestionEndpoint, dcrId, tenantId) : endpoint.dcr();
    }

    /** The workspace threat intelligence goes to: this target's, in its tenant, where it names one. */
    SentinelComponent.Workspace workspace() {
        return workspaceId != null ? new SentinelComponent.Workspace(workspaceId, tenantId)
                : SentinelComponent.Workspace.CONFIGURED;
    }
}
