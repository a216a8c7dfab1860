package com.mimecastsentinel.sentinel;

/**
 * Where one declared account's rows go: its Logs Ingestion endpoint and DCR, its Awareness Training DCR, its
 * workspace (threat intelligence); a null one is the settings' (SENTINEL_*). {@code tenantId}: the Entra tenant of
 * its own DCRs and workspace, whose tokens they take (null: AZURE_TENANT_ID). {@code account}: its name, which each
 * row carries in {@code mimecastAccount} where the DCR's tables declare that column: its own DCRs when
 * {@code accountColumn}, the settings' when SENTINEL_ACCOUNT_COLUMN (accounts sharing the tables). The
 * {@code mimecast} consumer puts a declared account's target on each batch's exchange (the variable
 * {@value SentinelEndpoint#TARGET}); the {@code sentinel:} producer sends there.
 */
public record Target(String account, String ingestionEndpoint, String dcrId, String awarenessIngestionEndpoint,
        String awarenessDcrId, String workspaceId, String tenantId, boolean accountColumn) {

    public static final Target SETTINGS = new Target(null, null, null, null, null, null, null, false);

    /** A declared account's: where its entry's destination says, the settings' for what it leaves out. */
    public static Target of(String account, com.mimecastsentinel.config.AccountsFile.Destination to) {
        return new Target(account, to.ingestionEndpoint(), to.dcrId(), to.awarenessIngestionEndpoint(),
                to.awarenessDcrId(), to.workspaceId(), to.tenantId(), to.accountColumn());
    }

    /** A declared account's that sends where the settings say. */
    public static Target settingsOf(String account) {
        return new Target(account, null, null, null, null, null, null, false);
    }

    /**
     * What the rows for {@code endpoint} carry in {@code mimecastAccount}: the account's name when the DCR they go to
     * declares the column ({@code settingsDeclare}: whether the settings' DCRs do); null for none (and for
     * threat intelligence, which has no table).
     */
    String accountColumnValue(SentinelEndpoint endpoint, boolean settingsDeclare) {
        if (account == null || SentinelEndpoint.THREAT_INTELLIGENCE.equals(endpoint.getStream())) {
            return null;
        }
        boolean own = !dcr(endpoint).equals(endpoint.dcr());
        return (own ? accountColumn : settingsDeclare) ? account : null;
    }

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
