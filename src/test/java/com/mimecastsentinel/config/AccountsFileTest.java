package com.mimecastsentinel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MIMECAST_ACCOUNTS_FILE: what an entry may say, and errors that name the account and the field, never a value. */
class AccountsFileTest {
    @TempDir
    Path dir;

    private final Settings settings = new Settings(key -> Optional.ofNullable(Map.of("sink", "file",
            "checkpoint.store", "file").get(key)), name -> null);

    private String secret() throws Exception {
        return Files.writeString(dir.resolve("secret"), "s3cr3t-value").toString();
    }

    private String message(String yaml) {
        return assertThrows(ConfigurationException.class, () -> AccountsFile.parse(yaml, settings)).getMessage();
    }

    @Test
    void aShortEntryIsAnAccountWithTheSettingsDefaults() throws Exception {
        List<AccountsFile.Account> accounts = AccountsFile.parse("""
                - name: acme
                  clientId: abc
                  clientSecretFile: %s
                - name: legacy-co
                  api: 1.0
                  region: de
                  appId: app
                  appKeyFile: %s
                  accessKeyFile: %s
                  secretKeyFile: %s
                  logTypes: audit, siem-legacy
                  schedule: "0 0/5 * * * ?"
                  startDate: 2026-11-01
                  destination: {workspaceId: 11111111-2222-3333-4444-555555555555}
                """.formatted(secret(), secret(), secret(), secret()), settings);
        assertEquals(2, accounts.size());
        AccountsFile.Account acme = accounts.get(0);
        assertEquals("https://api.services.mimecast.com", acme.baseUrl().toString());
        assertTrue(acme.api2());
        assertEquals(List.of(), acme.logTypes(), "every log type");
        AccountsFile.Account legacy = accounts.get(1);
        assertEquals("https://de-api.mimecast.com", legacy.baseUrl().toString());
        assertFalse(legacy.api2());
        assertEquals(List.of("audit", "siem-legacy"), legacy.logTypes());
        assertEquals(Instant.parse("2026-11-01T00:00:00Z"), legacy.startDate());
        assertEquals("11111111-2222-3333-4444-555555555555", legacy.destination().workspaceId());
        assertFalse(acme.destination().accountColumn(), "no DCR of its own");
    }

    /** accountColumn is about the entry's own DCRs (false unless it says); the settings' have a setting of theirs. */
    @Test
    void theAccountColumnIsAboutTheEntrysOwnDcrs() throws Exception {
        String entries = """
                - name: apart
                  clientId: abc
                  clientSecretFile: %1$s
                  destination: {ingestionEndpoint: "https://x.westeurope-1.ingest.monitor.azure.com", dcrId: dcr-1}
                - name: shared
                  clientId: abc
                  clientSecretFile: %1$s
                  destination: {ingestionEndpoint: "https://x.westeurope-1.ingest.monitor.azure.com", dcrId: dcr-2,
                    accountColumn: true}
                """.formatted(secret());
        assertEquals(List.of(false, true), AccountsFile.parse(entries, settings).stream()
                .map(a -> a.destination().accountColumn()).toList());
        assertTrue(message("- name: acme\n  clientId: x\n  clientSecretFile: " + secret() + "\n  destination: "
                + "{accountColumn: true}\n").contains("the SENTINEL_* DCRs' is SENTINEL_ACCOUNT_COLUMN"));
        assertTrue(message("- name: acme\n  clientId: x\n  clientSecretFile: " + secret() + "\n  destination: "
                + "{accountColumn: yes please}\n").contains("destination accountColumn must be true or false"));
    }

    /**
     * An account in a tenant of its own names every destination its log types need (none of its rows to the
     * provider's workspace); a DCR's tables declare the account column or not, whichever entry names it.
     */
    @Test
    void aCustomersAccountSendsNothingToTheProvidersTenantAndADcrHasOneAnswerForTheColumn() throws Exception {
        Settings provider = new Settings(key -> Optional.ofNullable(Map.of("sink", "file", "checkpoint.store", "file",
                "azure.tenant-id", "t", "azure.client-id", "app", "azure.client-secret", "s", "sentinel.dcr-id", "dcr-9",
                "sentinel.account-column", "true").get(key)), name -> null);
        String head = "- name: fabrikam\n  clientId: x\n  clientSecretFile: " + secret() + "\n";
        String own = "ingestionEndpoint: \"https://x.westeurope-1.ingest.monitor.azure.com\", dcrId: dcr-1";
        String message = assertThrows(ConfigurationException.class, () -> AccountsFile.parse(head
                + "  destination: {" + own + ", tenantId: fabrikam.onmicrosoft.com}\n", provider)).getMessage();
        assertTrue(message.contains("needs its awarenessIngestionEndpoint and awarenessDcrId too"), message);
        assertEquals(1, AccountsFile.parse(head + "  logTypes: [audit, siem]\n  destination: {" + own
                + ", tenantId: fabrikam.onmicrosoft.com}\n", provider).size(), "its log types all go to its DCR");
        message = assertThrows(ConfigurationException.class, () -> AccountsFile.parse(head + "  logTypes: [audit, "
                + "threat-intel]\n  destination: {" + own + ", tenantId: fabrikam.onmicrosoft.com}\n", provider))
                .getMessage();
        assertTrue(message.contains("needs its workspaceId too"), message);

        message = assertThrows(ConfigurationException.class, () -> AccountsFile.parse(head + "  destination: {"
                + own.replace("dcr-1", "dcr-9") + "}\n", provider)).getMessage();
        assertTrue(message.contains("accountColumn false for DCR dcr-9, which is true (SENTINEL_ACCOUNT_COLUMN)"),
                message);
    }

    @Test
    void errorsNameTheAccountAndTheFieldButNoValue() throws Exception {
        String file = secret();
        assertTrue(message("- name: Acme\n").contains("entry 1: name must be lower-case"));
        assertTrue(message("- name: acme\n  clientId: x\n").contains("account 'acme': clientSecretFile is required"));
        assertTrue(message("- name: acme\n  clientId: x\n  clientSecretFile: /nowhere\n")
                .contains("clientSecretFile names a file that cannot be read"));
        assertTrue(message("- name: acme\n  clientId: x\n  clientSecret: s3cr3t-inline\n")
                .contains("unknown field 'clientSecret'"), "a secret is never a field");
        assertTrue(message("- name: acme\n  region: mars\n  clientId: x\n  clientSecretFile: " + file + "\n")
                .contains("region must be one of [global, uk, us]"));
        assertTrue(message("- name: acme\n  clientId: x\n  clientSecretFile: " + file + "\n- name: acme\n  clientId: y"
                + "\n  clientSecretFile: " + file + "\n").contains("declares account 'acme' twice"));
        assertTrue(message("- name: acme\n  clientId: x\n  clientSecretFile: " + file + "\n  destination: "
                + "{ingestionEndpoint: \"https://x.westeurope-1.ingest.monitor.azure.com\"}\n")
                .contains("ingestionEndpoint and dcrId go together"));
        assertTrue(message("- name: acme\n  baseUrl: http://mimecast.example.com\n  clientId: x\n  clientSecretFile: "
                + file + "\n").contains("must be an https:// URL"));
        assertTrue(message("- name: acme\n  clientId: x\n  clientSecretFile: " + file + "\n  destination: "
                + "{tenantId: contoso.onmicrosoft.com}\n").contains("tenantId goes with the account's own dcrId"));
        assertTrue(message("- name: acme\n  clientId: x\n  clientSecretFile: " + file + "\n  destination: "
                + "{workspaceId: 11111111-2222-3333-4444-555555555555, tenantId: contoso.onmicrosoft.com}\n")
                .contains("tenantId needs AZURE_CLIENT_SECRET"), "a managed identity has no other tenant's tokens");
        assertTrue(message("- name: acme\n  clientId: x\n  clientSecretFile: " + file + "\n  destination: "
                + "{tenantId: \"not a tenant\"}\n").contains("tenantId must be a tenant id"));
        String broken = message("- name: acme\n  clientSecret: \"s3cr3t-unterminated\n");
        assertTrue(broken.contains("is not valid YAML") && !broken.contains("s3cr3t"), broken);
    }
}
