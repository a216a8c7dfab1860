package com.mimecastsentinel.config;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.quartz.CronExpression;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * MIMECAST_ACCOUNTS_FILE: the Mimecast accounts of one deployment, one short YAML entry each (docs/configuration.md).
 * Read once at start-up and validated: an error names the setting, the account and the field, and no value but
 * ids (a DCR's); never the YAML's text. Secrets are never in the file, only the files that hold them.
 *
 * <pre>
 * - name: acme                       # lower case, digits, '-': its state is under accounts/acme/
 *   region: us                       # or baseUrl: https://…
 *   api: "2.0"                       # 2.0 (default) or 1.0
 *   clientId: 3f1c…                  # API 2.0; the secret in a file
 *   clientSecretFile: /run/secrets/acme-mimecast
 *   logTypes: [audit, siem, ttp-url] # default: every log type of its API generation
 *   schedule: "0 0/10 * * * ?"       # default: each log type's, at a second of this account's own
 *   startDate: 2026-11-01
 *   destination:                     # default: SENTINEL_*
 *     ingestionEndpoint: https://…ingest.monitor.azure.com
 *     dcrId: dcr-…
 *     awarenessIngestionEndpoint: https://…
 *     awarenessDcrId: dcr-…
 *     workspaceId: 0000…
 *     tenantId: 0000…                # their Entra tenant, when not AZURE_TENANT_ID (a customer's)
 *     accountColumn: true            # these DCRs' tables declare mimecastAccount (accounts share them)
 * </pre>
 */
public final class AccountsFile {
    static final String SETTING = "MIMECAST_ACCOUNTS_FILE";
    /** A file of accounts is small: one of more than this is not one. */
    private static final int MAX_BYTES = 1 << 20;
    /** A workspace's or tenant's id. */
    private static final String GUID = "(?i)[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}";
    private static final Set<String> FIELDS = Set.of("name", "region", "baseUrl", "api", "clientId",
            "clientSecretFile", "appId", "appKeyFile", "accessKeyFile", "secretKeyFile", "logTypes", "schedule",
            "startDate", "destination");
    private static final Set<String> DESTINATION_FIELDS = Set.of("ingestionEndpoint", "dcrId",
            "awarenessIngestionEndpoint", "awarenessDcrId", "workspaceId", "tenantId", "accountColumn");

    /** One declared account. Secrets are files; {@code logTypes} empty means every log type of its generation. */
    public record Account(String name, URI baseUrl, boolean api2, String clientId, Path clientSecretFile,
            String appId, Path appKeyFile, Path accessKeyFile, Path secretKeyFile, List<String> logTypes,
            String schedule, Instant startDate, Destination destination) {
    }

    /**
     * Where an account's rows go; null fields are the settings' (SENTINEL_*). {@code accountColumn}: whether the
     * tables of its own DCRs declare the mimecastAccount column (the settings' DCRs': SENTINEL_ACCOUNT_COLUMN).
     */
    public record Destination(String ingestionEndpoint, String dcrId, String awarenessIngestionEndpoint,
            String awarenessDcrId, String workspaceId, String tenantId, boolean accountColumn) {
    }

    private AccountsFile() {
    }

    /** The accounts of {@code settings}' MIMECAST_ACCOUNTS_FILE (none without one). */
    public static List<Account> read(Settings settings) {
        if (settings.accountsFile == null) {
            return List.of();
        }
        String text;
        try {
            if (Files.size(settings.accountsFile) > MAX_BYTES) {
                throw new ConfigurationException(SETTING, "names a file larger than " + MAX_BYTES + " bytes");
            }
            text = Files.readString(settings.accountsFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigurationException(SETTING, "names a file that cannot be read");
        }
        return parse(text, settings);
    }

    static List<Account> parse(String text, Settings settings) {
        Object document;
        try {
            document = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).setMaxAliasesForCollections(0)
                    .setCodePointLimit(MAX_BYTES).build()).loadFromString(text);
        } catch (RuntimeException e) {
            // the parser's message quotes the text: a secret pasted in by mistake must not be printed
            throw new ConfigurationException(SETTING, "is not valid YAML (a list of accounts, docs/configuration.md)");
        }
        if (!(document instanceof List<?> entries) || entries.isEmpty()) {
            throw new ConfigurationException(SETTING, "must be a YAML list of accounts, at least one");
        }
        List<Account> accounts = new ArrayList<>();
        Set<String> names = new HashSet<>();
        // whether each DCR's tables declare mimecastAccount: one answer a DCR, whoever names it
        record Column(boolean declared, String by) {
        }
        Map<String, Column> columnOf = new java.util.HashMap<>();
        for (String dcr : Arrays.asList(settings.dcrId, settings.awarenessDcrId)) {
            if (dcr != null) {
                columnOf.put(dcr, new Column(settings.accountColumn, "SENTINEL_ACCOUNT_COLUMN"));
            }
        }
        for (int i = 0; i < entries.size(); i++) {
            Account account = account(entries.get(i), i + 1, settings);
            if (!names.add(account.name())) {
                throw new ConfigurationException(SETTING, "declares account '" + account.name() + "' twice");
            }
            requireAllInItsTenant(account);
            Destination to = account.destination();
            for (String dcr : Arrays.asList(to.dcrId(), to.awarenessDcrId())) {
                Column before = dcr == null ? null : columnOf.putIfAbsent(dcr, new Column(to.accountColumn(),
                        "account '" + account.name() + "'"));
                if (before != null && before.declared() != to.accountColumn()) {
                    throw new ConfigurationException(SETTING, "account '" + account.name() + "': destination "
                            + "accountColumn " + to.accountColumn() + " for DCR " + dcr + ", which is "
                            + before.declared() + " (" + before.by() + ") elsewhere: a DCR's tables declare "
                            + "mimecastAccount or not");
                }
            }
            accounts.add(account);
        }
        return List.copyOf(accounts);
    }

    /**
     * An account whose destination is in a tenant of its own (a customer's) sends all its rows there: a log type
     * whose destination its entry does not name would go to the SENTINEL_* one, in AZURE_TENANT_ID (the provider's).
     */
    private static void requireAllInItsTenant(Account account) {
        Destination to = account.destination();
        if (to.tenantId() == null) {
            return;
        }
        List<String> types = account.logTypes();
        String where = "account '" + account.name() + "': destination tenantId";
        if (to.dcrId() == null && (types.isEmpty() || types.stream().anyMatch(t -> !t.startsWith("awareness-")
                && !t.equals("threat-intel")))) {
            throw new ConfigurationException(SETTING, where + " needs its ingestionEndpoint and dcrId too (else its "
                    + "rows would go to SENTINEL_DCR_ID, in AZURE_TENANT_ID)");
        }
        if (to.awarenessDcrId() == null && (types.isEmpty() || types.stream().anyMatch(t -> t.startsWith("awareness-")))) {
            throw new ConfigurationException(SETTING, where + " needs its awarenessIngestionEndpoint and awarenessDcrId "
                    + "too, or logTypes without awareness-*");
        }
        if (to.workspaceId() == null && (types.isEmpty() || types.contains("threat-intel"))) {
            throw new ConfigurationException(SETTING, where + " needs its workspaceId too, or logTypes without "
                    + "threat-intel");
        }
    }

    private static Account account(Object item, int position, Settings settings) {
        if (!(item instanceof Map<?, ?> map)) {
            throw new ConfigurationException(SETTING, "entry " + position + " is not a map of an account's fields");
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        map.forEach((key, value) -> entry.put(String.valueOf(key), value));
        String name = text(entry, "name", "entry " + position);
        if (name == null || !name.matches(com.mimecastsentinel.source.MimecastAccount.NAME)) {
            throw new ConfigurationException(SETTING, "entry " + position + ": name must be lower-case letters, "
                    + "digits and '-', at most 40");
        }
        String where = "account '" + name + "'";
        for (String field : entry.keySet()) {
            if (!FIELDS.contains(field)) {
                throw new ConfigurationException(SETTING, where + ": unknown field '" + field + "' (known: "
                        + FIELDS.stream().sorted().toList() + ")");
            }
        }
        String api = entry.containsKey("api") ? String.valueOf(entry.get("api")).trim() : "2.0";
        if (!api.equals("2.0") && !api.equals("1.0")) {
            throw new ConfigurationException(SETTING, where + ": api must be \"2.0\" or \"1.0\"");
        }
        boolean api2 = api.equals("2.0");
        URI baseUrl = baseUrl(entry, where, api2, settings);
        String clientId = null;
        Path clientSecret = null;
        String appId = null;
        Path appKey = null;
        Path accessKey = null;
        Path secretKey = null;
        if (api2) {
            clientId = required(entry, "clientId", where);
            clientSecret = file(entry, "clientSecretFile", where);
        } else {
            appId = required(entry, "appId", where);
            appKey = file(entry, "appKeyFile", where);
            accessKey = file(entry, "accessKeyFile", where);
            secretKey = file(entry, "secretKeyFile", where);
        }
        List<String> logTypes = logTypes(entry.get("logTypes"), where);
        String schedule = text(entry, "schedule", where);
        if (schedule != null) {
            try {
                CronExpression.validateExpression(schedule);
            } catch (java.text.ParseException e) {
                throw new ConfigurationException(SETTING, where + ": schedule is not a valid Quartz cron expression ("
                        + e.getMessage() + ")");
            }
        }
        Instant startDate = null;
        String start = text(entry, "startDate", where);
        if (start != null) {
            try {
                startDate = Settings.dayOrInstant(start);
            } catch (DateTimeParseException e) {
                throw new ConfigurationException(SETTING, where + ": startDate " + Settings.DAY_OR_INSTANT);
            }
        }
        return new Account(name, baseUrl, api2, clientId, clientSecret, appId, appKey, accessKey, secretKey, logTypes,
                schedule, startDate, destination(entry.get("destination"), where, settings));
    }

    private static URI baseUrl(Map<String, Object> entry, String where, boolean api2, Settings settings) {
        String url = text(entry, "baseUrl", where);
        String region = text(entry, "region", where);
        if (url != null && region != null) {
            throw new ConfigurationException(SETTING, where + ": give baseUrl or region, not both");
        }
        if (url != null) {
            return settings.mimecastUrl(url, SETTING + " (" + where + ": baseUrl)");
        }
        if (region == null) {
            if (api2) {
                return URI.create(Settings.DEFAULT_MIMECAST_URL);
            }
            throw new ConfigurationException(SETTING, where + ": an API 1.0 account needs its region ("
                    + MimecastRegions.API1 + ") or baseUrl");
        }
        URI regional = MimecastRegions.url(region, api2);
        if (regional == null) {
            throw new ConfigurationException(SETTING, where + ": region must be one of " + (api2 ? MimecastRegions.API2
                    : MimecastRegions.API1) + " for API " + (api2 ? "2.0" : "1.0"));
        }
        return regional;
    }

    private static Destination destination(Object value, String where, Settings settings) {
        if (value == null) {
            return new Destination(null, null, null, null, null, null, false);
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new ConfigurationException(SETTING, where + ": destination must be a map");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        map.forEach((key, field) -> fields.put(String.valueOf(key), field));
        for (String field : fields.keySet()) {
            if (!DESTINATION_FIELDS.contains(field)) {
                throw new ConfigurationException(SETTING, where + ": unknown destination field '" + field + "'");
            }
        }
        String endpoint = text(fields, "ingestionEndpoint", where);
        String dcr = text(fields, "dcrId", where);
        String awarenessEndpoint = text(fields, "awarenessIngestionEndpoint", where);
        String awarenessDcr = text(fields, "awarenessDcrId", where);
        String workspace = text(fields, "workspaceId", where);
        pair(endpoint, dcr, "ingestionEndpoint", "dcrId", where, settings);
        pair(awarenessEndpoint, awarenessDcr, "awarenessIngestionEndpoint", "awarenessDcrId", where, settings);
        if (workspace != null && !workspace.matches(GUID)) {
            throw new ConfigurationException(SETTING, where + ": destination workspaceId must be a workspace id "
                    + "(a GUID)");
        }
        String tenant = text(fields, "tenantId", where);
        if (tenant != null) {
            if (!tenant.matches(GUID + "|[a-z0-9-]+(\\.[a-z0-9-]+)+")) {
                throw new ConfigurationException(SETTING, where + ": destination tenantId must be a tenant id (a "
                        + "GUID) or its domain");
            }
            if (dcr == null && awarenessDcr == null && workspace == null) {
                throw new ConfigurationException(SETTING, where + ": destination tenantId goes with the account's "
                        + "own dcrId, awarenessDcrId or workspaceId (those of SENTINEL_* are in AZURE_TENANT_ID)");
            }
            if (settings.azureClientSecret == null) {
                throw new ConfigurationException(SETTING, where + ": destination tenantId needs AZURE_CLIENT_SECRET "
                        + "(a multi-tenant app registration): a managed identity has tokens of its own tenant only");
            }
        }
        // of the entry's own DCRs: the settings' say it themselves (SENTINEL_ACCOUNT_COLUMN)
        Object column = fields.getOrDefault("accountColumn", Boolean.FALSE);
        if (!(column instanceof Boolean declared)) {
            throw new ConfigurationException(SETTING, where + ": destination accountColumn must be true or false");
        }
        if (declared && dcr == null && awarenessDcr == null) {
            throw new ConfigurationException(SETTING, where + ": destination accountColumn is about the account's "
                    + "own dcrId or awarenessDcrId; the SENTINEL_* DCRs' is SENTINEL_ACCOUNT_COLUMN");
        }
        return new Destination(endpoint, dcr, awarenessEndpoint, awarenessDcr, workspace, tenant, declared);
    }

    /** A DCR and its endpoint go together, checked as SENTINEL_INGESTION_ENDPOINT and SENTINEL_DCR_ID are. */
    private static void pair(String endpoint, String dcr, String endpointField, String dcrField, String where,
            Settings settings) {
        if ((endpoint == null) != (dcr == null)) {
            throw new ConfigurationException(SETTING, where + ": destination " + endpointField + " and " + dcrField
                    + " go together");
        }
        if (endpoint != null) {
            settings.requireIngestionEndpoint(endpoint, SETTING + " (" + where + ": " + endpointField + ")");
            if (!dcr.startsWith("dcr-")) {
                throw new ConfigurationException(SETTING, where + ": destination " + dcrField + " must be the DCR "
                        + "immutable id (dcr-...)");
            }
        }
    }

    private static List<String> logTypes(Object value, String where) {
        if (value == null) {
            return List.of();
        }
        List<String> names = value instanceof List<?> list ? list.stream().map(String::valueOf).toList()
                : Arrays.stream(String.valueOf(value).split(",")).toList();
        List<String> logTypes = names.stream().map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.toLowerCase(Locale.ROOT)).distinct().toList();
        for (String logType : logTypes) {
            if (!logType.matches("[a-z0-9-]+")) {
                throw new ConfigurationException(SETTING, where + ": logTypes names something that is not a log type "
                        + "(lower-case letters, digits and '-')");
            }
        }
        return logTypes;
    }

    private static Path file(Map<String, Object> entry, String field, String where) {
        String value = required(entry, field, where);
        Path file = Path.of(value);
        if (!Files.isReadable(file)) {
            throw new ConfigurationException(SETTING, where + ": " + field + " names a file that cannot be read");
        }
        return file;
    }

    private static String required(Map<String, Object> entry, String field, String where) {
        String value = text(entry, field, where);
        if (value == null) {
            throw new ConfigurationException(SETTING, where + ": " + field + " is required");
        }
        return value;
    }

    private static String text(Map<String, Object> entry, String field, String where) {
        Object value = entry.get(field);
        if (value == null) {
            return null;
        }
        if (value instanceof Map || value instanceof List) {
            throw new ConfigurationException(SETTING, where + ": " + field + " must be a single value");
        }
        if (value instanceof Number) {
            // YAML reads 0123e4 or 00123 as a number: an id would lose what it is
            throw new ConfigurationException(SETTING, where + ": " + field + " must be quoted text, not a number");
        }
        String text = String.valueOf(value).trim();
        return text.isEmpty() ? null : text;
    }
}
