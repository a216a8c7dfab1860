package com.mimecastsentinel.tables;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.mimecastsentinel.TablesCommand;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.support.AzureFake;
import com.mimecastsentinel.support.HttpsFake;
import com.mimecastsentinel.support.Settings4Tests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tables} command against an HTTPS fake of the Log Analytics Tables API that keeps state as the service
 * does: a PUT replaces the whole column list (an omitted column is deleted with its data, a retyped one refused
 * with 400), a migration turns a classic table into a DCR-based one keeping its columns, and the identity's role
 * decides which requests get 403. Tokens come from the Entra fake; the production pipeline is used as it is.
 */
class TablesCommandTest {
    private static final String WORKSPACE = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/"
            + "rg-sentinel/providers/Microsoft.OperationalInsights/workspaces/law-test";
    private static final SchemaWait SHORT = new SchemaWait(Duration.ofSeconds(3), Duration.ofMillis(20));
    private static final ObjectMapper JSON = new ObjectMapper();

    private AzureFake azure;
    private TablesFake fake;
    private WireMockServer arm;
    private Settings settings;
    private List<DesiredTable> desired;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        azure = new AzureFake();
        fake = new TablesFake(azure.token);
        arm = HttpsFake.start(fake);
        arm.stubFor(any(urlPathMatching("/.*")).willReturn(aResponse().withStatus(500)));
        settings = TablesCommand.azureSettings(properties(beforeTheDcrsExist()), name -> null);
        desired = TemplateTables.read(TemplateTables.load().json(), Map.of());
    }

    /**
     * A production environment as it is before the deployment: Mimecast credentials, the Azure identity, no DCR
     * yet (SENTINEL_* are the deployment's outputs) and no checkpoint store.
     */
    private Map<String, String> beforeTheDcrsExist() {
        Map<String, String> environment = new HashMap<>(azure.environment());
        environment.keySet().removeIf(name -> name.startsWith("SENTINEL_"));
        environment.put("MIMECAST_CLIENT_ID", "production-client");
        environment.put("AZURE_RESOURCE_MANAGER_ENDPOINT", HttpsFake.url(arm));
        return environment;
    }

    private static java.util.function.Function<String, Optional<String>> properties(Map<String, String> environment) {
        Properties properties = Settings4Tests.properties(environment);
        return key -> Optional.ofNullable(properties.getProperty(key));
    }

    @Test
    void theCommandNeedsOnlyTheAzureSettings() {
        // a run would refuse this environment (no Mimecast secret, no DCR, no checkpoint store) ...
        assertThrows(com.mimecastsentinel.config.ConfigurationException.class,
                () -> new Settings(properties(beforeTheDcrsExist()), name -> null));
        // ... the command, which comes before the DCRs, reads the Azure part of it and works
        assertEquals(HttpsFake.url(arm), settings.resourceManagerEndpoint);
        everyTableReady();
        assertEquals(0, run("--workspace", WORKSPACE).status);
    }

    @AfterEach
    void stop() {
        arm.stop();
        azure.close();
    }

    private record Run(int status, String out, String err) {
    }

    private Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("tables"));
        all.addAll(List.of(args));
        int status = TablesCommand.run(all, settings, SHORT, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Run run = new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        for (String secret : List.of(azure.token, azure.clientSecret)) {
            assertFalse(run.out.contains(secret) || run.err.contains(secret), "no token or secret is printed");
        }
        return run;
    }

    private DesiredTable desired(String name) {
        return desired.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    /** Every table of the template exists with all its columns, except those the test sets up otherwise. */
    private void everyTableReady() {
        desired.forEach(t -> fake.put(t.name(), FakeTable.dcrBased(columnsOf(t))));
    }

    /** The requests other than GET, in the order they came (WireMock lists the newest first). */
    private List<String> mutations() {
        List<ServeEvent> served = new ArrayList<>(arm.getAllServeEvents());
        java.util.Collections.reverse(served);
        return served.stream().map(ServeEvent::getRequest)
                .filter(r -> !r.getMethod().getName().equals("GET"))
                .map(r -> r.getMethod().getName() + " " + r.getUrl()).toList();
    }

    // (a)
    @Test
    void anEmptyWorkspaceGetsEveryTableWithExactlyTheTemplatesColumnsAndThenNothingIsLeftToDo() throws Exception {
        Run report = run("--workspace", WORKSPACE);
        assertEquals(1, report.status, report.out + report.err);
        for (DesiredTable table : desired) {
            assertTrue(report.out.contains(table.name() + ": missing"), table.name() + " is listed as missing");
        }
        assertTrue(report.out.contains("--apply would send:\n    GET  " + WORKSPACE + "/tables/Audit_CL?api-version="
                + "2022-10-01  (that it is still missing)\n    PUT  " + WORKSPACE + "/tables/Audit_CL?api-version="
                + "2022-10-01  (create it with the template's"), report.out);
        assertTrue(report.out.contains("createTables=true (none of the tables exists"), report.out);
        assertEquals(List.of(), mutations(), "nothing is changed without --apply");

        Run applied = run("--workspace", WORKSPACE, "--apply");
        assertEquals(0, applied.status, applied.out + applied.err);
        assertTrue(applied.out.contains("createTables=false"), applied.out);
        assertEquals(desired.size(), fake.tables.size());
        for (DesiredTable table : desired) {
            FakeTable created = fake.tables.get(table.name());
            Map<String, String> expected = new LinkedHashMap<>();
            table.columns().forEach(c -> expected.put(c.name(), c.type().toLowerCase(Locale.ROOT)));
            Map<String, String> actual = new LinkedHashMap<>(created.columns);
            actual.put("TimeGenerated", created.standard.get("TimeGenerated"));
            assertEquals(expected, actual, table.name() + " has exactly the template's columns");
            assertEquals("DataCollectionRuleBased", created.subType);
        }
        String tokenRequest = URLDecoder.decode(azure.server.getAllServeEvents().get(0).getRequest()
                .getBodyAsString(), StandardCharsets.UTF_8);
        Matcher scopes = Pattern.compile("(?:^|&)scope=([^&]*)").matcher(tokenRequest);
        assertTrue(scopes.find() && List.of(scopes.group(1).split(" ")).contains(HttpsFake.url(arm) + "/.default"),
                "a token for Resource Manager");

        Run again = run("--workspace", WORKSPACE, "--json");
        assertEquals(0, again.status, again.out + again.err);
        JsonNode json = JSON.readTree(again.out);
        assertTrue(json.path("ready").asBoolean());
        assertFalse(json.path("createTables").asBoolean(true));
        assertEquals(desired.size(), json.path("tables").size());
        json.path("tables").forEach(t -> {
            assertEquals("DCR-based", t.path("state").asText());
            assertEquals(0, t.path("requests").size());
        });
        assertTrue(json.path("summary").asText().endsWith("all ready, nothing to change"), json.toString());
    }

    // (b)
    @Test
    void aClassicTableIsMigratedAndKeepsItsDataCollectorColumnsBesideTheOfficialOnes() {
        everyTableReady();
        Map<String, String> dataCollector = ordered("action_s", "string", "timestamp_d", "real", "senderAddress_s",
                "string", "Rejected_b", "boolean");
        FakeTable classic = FakeTable.classic(dataCollector);
        fake.put("Seg_Cg_CL", classic);
        Map<String, Integer> data = Map.copyOf(classic.data);

        Run report = run("--workspace", WORKSPACE);
        assertEquals(1, report.status, report.out);
        assertTrue(report.out.contains("Seg_Cg_CL: classic\n"), report.out);
        assertTrue(report.out.contains("keeps every column it has (the _s, _d, … ones included) with its data"),
                report.out);
        assertTrue(report.out.contains("kept (4): action_s string, timestamp_d real"), report.out);
        assertTrue(report.out.contains("POST " + WORKSPACE + "/tables/Seg_Cg_CL/migrate?api-version=2022-10-01"),
                report.out);

        Run applied = run("--workspace", WORKSPACE, "--apply");
        assertEquals(0, applied.status, applied.out + applied.err);
        FakeTable migrated = fake.tables.get("Seg_Cg_CL");
        assertEquals("DataCollectionRuleBased", migrated.subType);
        dataCollector.forEach((column, type) -> assertEquals(type, migrated.columns.get(column), column + " kept"));
        assertEquals(data, Map.copyOf(migrated.data), "the classic columns' data is all there");
        for (TableColumn column : desired("Seg_Cg_CL").columns()) {
            assertTrue(migrated.columns.containsKey(column.name()) || migrated.standard.containsKey(column.name()),
                    column.name() + " added");
        }
        List<String> changes = mutations();
        assertEquals(List.of("POST " + WORKSPACE + "/tables/Seg_Cg_CL/migrate?api-version=2022-10-01",
                "PUT " + WORKSPACE + "/tables/Seg_Cg_CL?api-version=2022-10-01"), changes, "migrated, then the PUT");
        assertTrue(applied.out.contains("verified:"), applied.out);
    }

    // (c)
    @Test
    void aDcrBasedTableGetsTheMissingColumnAndKeepsTheUsersColumnAndRetention() {
        everyTableReady();
        Map<String, String> columns = auditWithUserColumn();
        FakeTable audit = FakeTable.dcrBased(columns);
        audit.retentionInDays = 90;
        fake.put("Audit_CL", audit);

        Run report = run("--workspace", WORKSPACE);
        assertEquals(1, report.status, report.out);
        assertTrue(report.out.contains("Audit_CL: DCR-based\n  add (1): auditType string\n  kept (1): myNote string\n"),
                report.out);

        Run applied = run("--workspace", WORKSPACE, "--apply");
        assertEquals(0, applied.status, applied.out + applied.err);
        FakeTable after = fake.tables.get("Audit_CL");
        assertEquals("string", after.columns.get("auditType"), "the missing column is added");
        assertEquals("string", after.columns.get("myNote"), "the user's column is kept");
        assertEquals(audit.data.get("myNote"), after.data.get("myNote"), "with its data");
        assertEquals(90, after.retentionInDays, "the table's own retention is not reset by the PUT");
        assertEquals(List.of("PUT " + WORKSPACE + "/tables/Audit_CL?api-version=2022-10-01"), mutations());
    }

    // (d)
    @Test
    void aColumnOfAnotherTypeIsAConflictThatIsReportedAndNeverChanged() {
        everyTableReady();
        Map<String, String> columns = columnsOf(desired("Audit_CL"));
        assertEquals("datetime", columns.put("eventTime", "string"), "the template's eventTime is a dateTime");
        fake.put("Audit_CL", FakeTable.dcrBased(columns));

        Run applied = run("--workspace", WORKSPACE, "--apply");
        assertEquals(1, applied.status, applied.out);
        assertTrue(applied.out.contains("conflict: eventTime is string in the table, dateTime in the template; never "
                + "changed (a column cannot change type)"), applied.out);
        assertTrue(applied.out.contains("rename the column in the route's mapping"), applied.out);
        assertTrue(applied.out.contains("1 with a column of another type than the template's"), applied.out);
        assertEquals("string", fake.tables.get("Audit_CL").columns.get("eventTime"));
        assertEquals(List.of(), mutations(), "nothing to add, nothing sent");
    }

    /**
     * A classic Ttp_Url_CL of the Function Apps before 3.1.0 has flattened names longer than a Tables API request
     * may carry: a PUT keeping them is refused, one omitting them deletes them, and the migration cannot be undone.
     * The table is held, untouched, and the report says why.
     */
    @Test
    void aTableWithColumnsLongerThan45CharactersIsHeldNotMigrated() {
        everyTableReady();
        String tooLong = "tagMap_DangerousFileExt_ContentCheck_ContentScannersBlocked_s";
        FakeTable classic = FakeTable.classic(ordered("url_s", "string", tooLong, "string"));
        fake.put("Ttp_Url_CL", classic);

        Run applied = run("--workspace", WORKSPACE, "--apply");
        assertEquals(1, applied.status, applied.out);
        assertTrue(applied.out.contains("Ttp_Url_CL: held\n"), applied.out);
        assertTrue(applied.out.contains("1 column(s) longer than the 45 characters a Tables API request may carry ("
                + tooLong + ")"), applied.out);
        assertTrue(applied.out.contains("1 held (columns longer than 45 characters)"), applied.out);
        assertEquals(List.of(), mutations(), "not migrated, nothing sent");
        assertEquals("Classic", fake.tables.get("Ttp_Url_CL").subType);
        assertEquals(100, fake.tables.get("Ttp_Url_CL").data.get(tooLong), "its data untouched");
    }

    // (e)
    @Test
    void aReadOnlyIdentitySeesTheReportButApplyFailsNamingLogAnalyticsContributorAndChangesNothing() {
        fake.rights = Rights.READ;
        fake.put("Seg_Cg_CL", FakeTable.classic(Map.of("action_s", "string")));

        Run report = run("--workspace", WORKSPACE);
        assertEquals(1, report.status);
        assertTrue(report.out.contains("Audit_CL: missing") && report.out.contains("Seg_Cg_CL: classic"), report.out);

        Run applied = run("--workspace", WORKSPACE, "--apply");
        assertEquals(1, applied.status, applied.out);
        assertTrue(applied.out.contains("to do: the identity may not change the workspace's tables: grant it the role "
                + "Log Analytics Contributor (actions Microsoft.OperationalInsights/workspaces/tables/write and "
                + "Microsoft.OperationalInsights/workspaces/tables/migrate/action) on the workspace " + WORKSPACE),
                applied.out);
        assertTrue(applied.out.contains("FAILED: POST " + WORKSPACE + "/tables/Seg_Cg_CL/migrate?api-version="
                + "2022-10-01 answered 403 AuthorizationFailed"), applied.out);
        assertEquals(Set.of("Seg_Cg_CL"), fake.tables.keySet(), "no table created");
        assertEquals("Classic", fake.tables.get("Seg_Cg_CL").subType, "not migrated");
    }

    // (f)
    @Test
    void anIdentityThatMayNotReadIsToldToGetLogAnalyticsReader() {
        fake.rights = Rights.NONE;
        Run report = run("--workspace", WORKSPACE, "--apply");
        assertEquals(1, report.status, report.out);
        assertTrue(report.out.contains("Audit_CL: unreadable"), report.out);
        assertTrue(report.out.contains("to do: the identity may not read the workspace's tables: grant it the role Log "
                + "Analytics Reader (action Microsoft.OperationalInsights/workspaces/tables/read) on the workspace "
                + WORKSPACE), report.out);
        assertTrue(report.out.contains("createTables unknown"), report.out);
        assertEquals(List.of(), mutations());
    }

    // (g)
    @Test
    void aUsersColumnSurvivesOnlyBecauseThePutCarriesIt() {
        DesiredTable audit = desired("Audit_CL");
        Map<String, String> columns = auditWithUserColumn();
        TablesApi api = TablesApi.create(settings, WORKSPACE);

        // the fake is the service: the template's schema PUT over the table deletes the column it does not list
        fake.put("Audit_CL", FakeTable.dcrBased(columns));
        api.put("Audit_CL", audit.createBody());
        assertFalse(fake.tables.get("Audit_CL").columns.containsKey("myNote"), "a PUT deletes an omitted column");
        assertFalse(fake.tables.get("Audit_CL").data.containsKey("myNote"), "and its data");

        everyTableReady();
        fake.put("Audit_CL", FakeTable.dcrBased(columns));
        assertEquals(0, run("--workspace", WORKSPACE, "--apply").status);
        assertEquals("string", fake.tables.get("Audit_CL").columns.get("myNote"), "the command carried it");
        assertTrue(fake.tables.get("Audit_CL").columns.containsKey("auditType"));
    }

    @Test
    void aColumnLostByTheServiceFailsTheVerification() {
        everyTableReady();
        Map<String, String> columns = auditWithUserColumn();
        fake.put("Audit_CL", FakeTable.dcrBased(columns));
        fake.loseOnPut = "myNote";

        Run applied = run("--workspace", WORKSPACE, "--apply");
        assertEquals(1, applied.status, applied.out);
        assertTrue(applied.out.contains("FAILED: column myNote (string) was there before and is gone"), applied.out);
    }

    @Test
    void aMixedWorkspaceReport() throws Exception {
        fake.put("Seg_Cg_CL", FakeTable.classic(ordered("action_s", "string", "timestamp_d", "real")));
        fake.put("Audit_CL", FakeTable.dcrBased(auditWithUserColumn()));
        Map<String, String> dlp = columnsOf(desired("Seg_Dlp_CL"));
        dlp.put("action", "long");
        fake.put("Seg_Dlp_CL", FakeTable.dcrBased(dlp));
        fake.put("Ttp_Url_CL", FakeTable.dcrBased(columnsOf(desired("Ttp_Url_CL"))));
        FakeTable builtIn = FakeTable.dcrBased(Map.of("Computer", "string"));
        builtIn.subType = "Any";
        fake.put("Ttp_Impersonation_CL", builtIn);

        Run report = run("--workspace", WORKSPACE);
        assertEquals(1, report.status);
        assertTrue(report.out.contains("Ttp_Url_CL: DCR-based, ready"), report.out);
        assertTrue(report.out.contains("Ttp_Impersonation_CL: refused\n  tableSubType Any"), report.out);
        assertTrue(report.out.contains("give the template parameter MimecastTTPImpersonationTableName another value"),
                report.out);
        assertTrue(report.out.contains("conflict: action is long in the table, string in the template"), report.out);
        assertTrue(report.out.contains("createTables=false (the tables exist: a table deployment is a PUT of the whole "
                + "schema, which would delete the columns the template does not list; run with --apply first: with "
                + "createTables=false the deployment creates none of the"), report.out);

        JsonNode json = JSON.readTree(run("--workspace", WORKSPACE, "--json").out);
        assertFalse(json.path("ready").asBoolean(true));
        assertFalse(json.path("createTables").asBoolean(true));
        JsonNode auditReport = json.path("tables").get(desired.indexOf(desired("Audit_CL")));
        assertEquals("{\"name\":\"auditType\",\"type\":\"string\"}", auditReport.path("add").get(0).toString());
        assertEquals("myNote", auditReport.path("kept").get(0).path("name").asText());
        assertEquals("PUT", auditReport.path("requests").get(1).path("method").asText());
        JsonNode dlpReport = json.path("tables").get(desired.indexOf(desired("Seg_Dlp_CL")));
        assertEquals("{\"column\":\"action\",\"tableType\":\"long\",\"templateType\":\"string\"}",
                dlpReport.path("conflicts").get(0).toString());

        Run applied = run("--workspace", WORKSPACE, "--apply");
        assertEquals(1, applied.status, "the conflict and the refused table remain");
        assertEquals(Set.of("Computer"), fake.tables.get("Ttp_Impersonation_CL").columns.keySet(), "never touched");
        assertEquals("long", fake.tables.get("Seg_Dlp_CL").columns.get("action"));
        assertEquals("DataCollectionRuleBased", fake.tables.get("Seg_Cg_CL").subType);
        assertEquals(desired.size(), fake.tables.size(), "the missing ones created");
    }

    @Test
    void theParametersFileNamesTheTablesAndTheWorkspace() throws Exception {
        everyTableReady();
        Path parameters = dir.resolve("azuredeploy.parameters.json");
        Files.writeString(parameters, """
                {"parameters": {"workspaceResourceId": {"value": "%s"},
                                "MimecastAuditTableName": {"value": "MyAudit"},
                                "principalId": {"reference": {"keyVault": {"id": "/kv"}, "secretName": "x"}}}}"""
                .formatted(WORKSPACE));
        Run report = run("--parameters", parameters.toString());
        assertEquals(1, report.status, report.out + report.err);
        assertTrue(report.out.contains("MyAudit_CL: missing"), report.out);
        assertFalse(report.out.contains("\nAudit_CL:"), "the default name is not the one deployed");

        Run other = run("--parameters", parameters.toString(), "--workspace", WORKSPACE.replace("law-test", "other"));
        assertEquals(2, other.status);
        assertTrue(other.err.contains("name different workspaces"), other.err);
    }

    @Test
    void wrongUsageIsRefusedWithTheUsage() {
        for (List<String> args : List.of(List.<String>of(), List.of("--workspace"), List.of("--workspace", "law-test"),
                List.of("--workspace", WORKSPACE, "--force"),
                List.of("--parameters", dir.resolve("none").toString()))) {
            Run run = run(args.toArray(String[]::new));
            assertEquals(2, run.status, args.toString());
            assertTrue(run.err.contains("usage: tables --workspace"), run.err);
        }
        assertEquals(List.of(), arm.getAllServeEvents(), "no request");
    }

    @Test
    void theTemplateIsReadAtAnyDepthWhateverTheConditionAndOnlyTheFormatNameFormIsAccepted() throws Exception {
        JsonNode template = JSON.readTree("""
                {"parameters": {"A": {"type": "string", "defaultValue": "Alpha"}, "B": {"type": "string"}},
                 "resources": [
                  {"type": "Microsoft.Resources/deployments", "name": "nested", "properties": {"template": {
                    "resources": [
                      {"type": "Microsoft.OperationalInsights/workspaces/tables", "name": "[x]",
                       "condition": "[parameters('createTables')]",
                       "properties": {"schema": {"name": "[format('{0}_CL', parameters('A'))]",
                         "columns": [{"name": "TimeGenerated", "type": "dateTime"}, {"name": "n", "type": "long"}]}}},
                      {"type": "Microsoft.OperationalInsights/workspaces", "name": "w", "resources": [
                        {"type": "tables", "name": "[y]",
                         "properties": {"schema": {"name": "[format('{0}_CL', parameters('B'))]",
                           "columns": [{"name": "TimeGenerated", "type": "dateTime"}]}}}]}]}}}]}""");
        List<DesiredTable> tables = TemplateTables.read(template, Map.of("B", JSON.getNodeFactory().textNode("Beta")));
        assertEquals(List.of("Alpha_CL", "Beta_CL"), tables.stream().map(DesiredTable::name).toList());
        assertEquals("long", tables.get(0).column("n").orElseThrow().type());

        assertTrue(assertThrows(IllegalArgumentException.class, () -> TemplateTables.read(template, Map.of()))
                .getMessage().contains("parameter B has no value"));
        ((ObjectNode) template.at("/resources/0/properties/template/resources/0/properties/schema"))
                .put("name", "Alpha_CL");
        assertTrue(assertThrows(IllegalStateException.class, () -> TemplateTables.read(template, Map.of()))
                .getMessage().contains("template resource Microsoft.OperationalInsights/workspaces/tables [x]: "
                        + "properties.schema.name 'Alpha_CL' is not of the form"));
    }

    /** Audit_CL as a user may have it: one template column missing (auditType), one of the user's own (myNote). */
    private Map<String, String> auditWithUserColumn() {
        Map<String, String> columns = columnsOf(desired("Audit_CL"));
        columns.remove("auditType");
        columns.put("myNote", "string");
        return columns;
    }

    private static Map<String, String> ordered(String... namesAndTypes) {
        Map<String, String> columns = new LinkedHashMap<>();
        for (int i = 0; i < namesAndTypes.length; i += 2) {
            columns.put(namesAndTypes[i], namesAndTypes[i + 1]);
        }
        return columns;
    }

    private static Map<String, String> columnsOf(DesiredTable table) {
        Map<String, String> columns = new LinkedHashMap<>();
        table.columns().forEach(c -> columns.put(c.name(), c.type().toLowerCase(Locale.ROOT)));
        columns.remove("TimeGenerated"); // a standard column of every table
        return columns;
    }

    enum Rights { NONE, READ, WRITE }

    /** A table of the fake: custom and standard columns (name to type), data by column, retention. */
    static final class FakeTable {
        static final Set<String> TYPES = Set.of("string", "int", "long", "real", "boolean", "datetime", "guid",
                "dynamic");
        String subType;
        final Map<String, String> columns = new LinkedHashMap<>();
        final Map<String, String> standard = new LinkedHashMap<>();
        /** How many values each custom column holds: a deleted column loses them. */
        final Map<String, Integer> data = new LinkedHashMap<>();
        Integer retentionInDays;

        static FakeTable dcrBased(Map<String, String> custom) {
            FakeTable table = new FakeTable();
            table.subType = "DataCollectionRuleBased";
            table.standard.putAll(Map.of("TenantId", "guid", "TimeGenerated", "datetime", "Type", "string",
                    "_ResourceId", "string"));
            custom.forEach((name, type) -> {
                table.columns.put(name, type.toLowerCase(Locale.ROOT));
                table.data.put(name, 100);
            });
            return table;
        }

        static FakeTable classic(Map<String, String> custom) {
            FakeTable table = dcrBased(custom);
            table.subType = "Classic";
            table.standard.putAll(Map.of("SourceSystem", "string", "Computer", "string", "RawData", "string"));
            return table;
        }

        ObjectNode json(String name) {
            ObjectNode answer = JSON.createObjectNode().put("id", WORKSPACE + "/tables/" + name).put("name", name);
            ObjectNode properties = answer.putObject("properties").put("plan", "Analytics")
                    .put("provisioningState", "Succeeded")
                    .put("retentionInDays", retentionInDays == null ? 30 : retentionInDays)
                    .put("retentionInDaysAsDefault", retentionInDays == null)
                    .put("totalRetentionInDays", retentionInDays == null ? 30 : retentionInDays)
                    .put("totalRetentionInDaysAsDefault", true);
            ObjectNode schema = properties.putObject("schema").put("name", name).put("tableType", "CustomLog")
                    .put("tableSubType", subType);
            ArrayNode custom = schema.putArray("columns");
            columns.forEach((column, type) -> custom.addObject().put("name", column).put("type", type)
                    .put("isDefaultDisplay", false).put("isHidden", false));
            ArrayNode system = schema.putArray("standardColumns");
            standard.forEach((column, type) -> system.addObject().put("name", column).put("type", type));
            return answer;
        }
    }

    /** The Tables API of one workspace, with state (a WireMock transformer of every request). */
    static final class TablesFake implements ResponseDefinitionTransformerV2 {
        private static final Pattern PATH = Pattern.compile(Pattern.quote(WORKSPACE)
                + "/tables/([A-Za-z0-9_]+)(/migrate)?\\?api-version=2022-10-01");
        final Map<String, FakeTable> tables = new LinkedHashMap<>();
        private final String token;
        volatile Rights rights = Rights.WRITE;
        /** A misbehaving service: drops this column on the next PUT. */
        volatile String loseOnPut;
        /** A created table shows only from the second GET after its PUT (the PUT answered 202). */
        private final Map<String, FakeTable> pending = new HashMap<>();

        TablesFake(String token) {
            this.token = token;
        }

        synchronized void put(String name, FakeTable table) {
            tables.put(name, table);
        }

        @Override
        public synchronized ResponseDefinition transform(ServeEvent event) {
            LoggedRequest request = event.getRequest();
            if (!("Bearer " + token).equals(request.getHeader("Authorization"))) {
                return error(401, "InvalidAuthenticationToken", "no valid token");
            }
            Matcher path = PATH.matcher(request.getUrl());
            if (!path.matches()) {
                return error(400, "InvalidResourceType", "not a table of the workspace: " + request.getUrl());
            }
            String name = path.group(1);
            String method = request.getMethod().getName();
            if (rights == Rights.NONE || !method.equals("GET") && rights != Rights.WRITE) {
                String action = method.equals("GET") ? "read" : method.equals("PUT") ? "write" : "migrate/action";
                // the request's own Authorization echoed back: what the service answers is printed masked
                return error(403, "AuthorizationFailed", "The client 'tester' does not have authorization to perform "
                        + "action 'Microsoft.OperationalInsights/workspaces/tables/" + action + "' over scope '"
                        + WORKSPACE + "/tables/" + name + "' or the scope is invalid. (request: Authorization: "
                        + request.getHeader("Authorization") + ")");
            }
            return switch (method + (path.group(2) == null ? "" : " migrate")) {
                case "GET" -> get(name);
                case "PUT" -> replace(name, request.getBodyAsString());
                case "POST migrate" -> migrate(name);
                default -> error(405, "MethodNotAllowed", method);
            };
        }

        private ResponseDefinition get(String name) {
            FakeTable table = tables.get(name);
            if (pending.containsKey(name)) {
                tables.put(name, pending.remove(name)); // this GET still sees the table as it was
            }
            return table == null ? error(404, "ResourceNotFound", "The table " + name + " was not found")
                    : ok(200, table.json(name));
        }

        /** PUT replaces the column list: what it omits is deleted with its data; a column cannot change type. */
        private ResponseDefinition replace(String name, String body) {
            FakeTable existing = tables.get(name);
            if (existing != null && existing.subType.equals("Classic")) {
                return error(400, "InvalidParameter", "Table " + name + " is a classic table: migrate it first");
            }
            JsonNode properties;
            try {
                properties = JSON.readTree(body).path("properties");
            } catch (java.io.IOException e) {
                return error(400, "InvalidRequestContent", "not JSON");
            }
            FakeTable replaced = FakeTable.dcrBased(Map.of());
            replaced.data.clear();
            Map<String, String> standard = existing != null ? existing.standard : replaced.standard;
            for (JsonNode column : properties.path("schema").path("columns")) {
                String column1 = column.path("name").asText();
                String type = column.path("type").asText().toLowerCase(Locale.ROOT);
                if (!column1.matches("[A-Za-z][A-Za-z0-9_]{1,44}")) {
                    return error(400, "InvalidParameter", "Column name " + column1 + " is invalid: column names "
                            + "must be 2 to 45 characters long, letters, digits and underscores");
                }
                if (!FakeTable.TYPES.contains(type)) {
                    return error(400, "InvalidParameter", "column " + column1 + ": unknown type " + type);
                }
                String had = standard.containsKey(column1) ? standard.get(column1)
                        : existing == null ? null : existing.columns.get(column1);
                if (had != null && !had.equals(type)) {
                    return error(400, "InvalidParameter", "The type of column " + column1 + " cannot be changed "
                            + "from " + had + " to " + type);
                }
                if (!standard.containsKey(column1)) {
                    replaced.columns.put(column1, type);
                    if (existing != null && existing.data.containsKey(column1)) {
                        replaced.data.put(column1, existing.data.get(column1));
                    }
                }
            }
            if (existing == null && !properties.path("schema").path("columns").toString()
                    .contains("\"TimeGenerated\"")) {
                return error(400, "InvalidParameter", "a custom table needs a TimeGenerated column");
            }
            if (existing != null) {
                replaced.standard.clear();
                replaced.standard.putAll(existing.standard);
            }
            // a PUT is the whole resource: a retention it does not carry goes back to the workspace's
            replaced.retentionInDays = properties.path("retentionInDays").isInt()
                    ? properties.path("retentionInDays").asInt() : null;
            if (loseOnPut != null) {
                replaced.columns.remove(loseOnPut);
                replaced.data.remove(loseOnPut);
            }
            if (existing == null) {
                pending.put(name, replaced);
                return ok(202, JSON.createObjectNode());
            }
            tables.put(name, replaced);
            return ok(200, replaced.json(name));
        }

        private ResponseDefinition migrate(String name) {
            FakeTable table = tables.get(name);
            if (table == null) {
                return error(404, "ResourceNotFound", "The table " + name + " was not found");
            }
            if (!table.subType.equals("Classic")) {
                return error(400, "InvalidParameter", "Table " + name + " is not a classic table");
            }
            table.subType = "DataCollectionRuleBased";
            return ok(200, JSON.createObjectNode());
        }

        private static ResponseDefinition ok(int status, JsonNode body) {
            return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                    .withBody(body.toString()).build();
        }

        private static ResponseDefinition error(int status, String code, String message) {
            ObjectNode body = JSON.createObjectNode();
            body.putObject("error").put("code", code).put("message", message);
            return ok(status, body);
        }

        @Override
        public String getName() {
            return "tables-api";
        }
    }
}
