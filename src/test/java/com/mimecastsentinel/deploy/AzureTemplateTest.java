package com.mimecastsentinel.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.tables.TemplateColumns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/azure/azuredeploy.json against the code: the rows every log type's handler makes from the simulator's
 * records (which carry exactly the documented Mimecast fields) fit the DCRs' stream declarations, every declared
 * stream is one a log type sends to (the Awareness Training ones in the second rule, as their routes say), each
 * data flow writes a table the template creates, and each table holds exactly what its transform writes, under
 * names Log Analytics accepts.
 */
class AzureTemplateTest {
    private static final Path TEMPLATE = Path.of("deploy", "azure", "azuredeploy.json");
    private static final Path PARAMETERS = Path.of("deploy", "azure", "azuredeploy.parameters.example.json");
    private static final String DCR_TYPE = "Microsoft.Insights/dataCollectionRules";
    private static final String TABLE_TYPE = "Microsoft.OperationalInsights/workspaces/tables";
    private static final String ROLE_TYPE = "Microsoft.Authorization/roleAssignments";
    private static final String MONITORING_METRICS_PUBLISHER = "3913510d-42f4-4e42-8a64-420c390055eb";
    private static final String SENTINEL_CONTRIBUTOR = "ab8e14d6-4a74-4a29-9ba8-549422addade";

    /**
     * Column names a Log Analytics table refuses (Azure Monitor docs, "Add or delete tables and columns"), compared
     * without case to be safe: {@code type} would stand beside the table's own {@code Type}.
     */
    private static final Set<String> RESERVED = Set.of("type", "tenantid", "_resourceid", "_subscriptionid",
            "uniqueid", "title");
    /** KQL type names: kept out of table columns (the Function App connector's Ttp_Url_CL has Date, not date). */
    private static final Set<String> KQL_TYPE_NAMES = Set.of("bool", "boolean", "date", "datetime", "decimal",
            "double", "dynamic", "guid", "int", "long", "real", "string", "time", "timespan");
    /**
     * Log Analytics column names (tables created through the Tables API or for DCRs): 2 to 45 characters, letters,
     * digits and underscores, starting with a letter. No exception: a table whose schema breaks it is refused, and
     * with it the whole tables deployment.
     */
    private static final Pattern COLUMN_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{1,44}");
    private static final Set<String> STREAM_TYPES = Set.of("string", "int", "long", "real", "boolean", "datetime",
            "dynamic");
    private static final Set<String> TABLE_TYPES = Set.of("string", "int", "long", "real", "boolean", "datetime",
            "dynamic", "guid");
    /**
     * The one transform this template uses: the rows as they come, TimeGenerated the ingestion time where a row
     * carries none (TIME_GENERATED=ingestion), as the official solution's transforms stamp it.
     */
    private static final String TRANSFORM =
            "source | extend TimeGenerated = iif(isnull(TimeGenerated), now(), TimeGenerated)";

    private static EmittedRows emitted;
    private static JsonNode template;
    /** the connector's rule and the Awareness Training one */
    private static JsonNode dcr;
    private static JsonNode awarenessDcr;
    private static List<JsonNode> dcrs;
    /** stream -> the rule's name parameter */
    private static final Map<String, String> ruleOf = new TreeMap<>();
    /** stream -> column -> type, as declared */
    private static final Map<String, Map<String, String>> declared = new TreeMap<>();
    /** table name -> table resource */
    private static final Map<String, JsonNode> tables = new TreeMap<>();

    @BeforeAll
    static void load() throws Exception {
        emitted = EmittedRows.once();
        // as deployed with the default parameters: the official tables' shape (accountColumn false)
        template = TemplateColumns.resolve(new ObjectMapper().readTree(TEMPLATE.toFile()), Map.of());
        dcrs = resources(template, DCR_TYPE);
        assertEquals(2, dcrs.size(), "two data collection rules: the connector's and Awareness Training's");
        dcr = dcrs.get(0);
        awarenessDcr = dcrs.get(1);
        assertEquals("[parameters('dataCollectionRuleName')]", dcr.path("name").asText());
        assertEquals("[parameters('awarenessDataCollectionRuleName')]", awarenessDcr.path("name").asText());
        for (JsonNode rule : dcrs) {
            rule.path("properties").path("streamDeclarations").fields().forEachRemaining(stream -> {
                Map<String, String> columns = new LinkedHashMap<>();
                for (JsonNode column : stream.getValue().path("columns")) {
                    String previous = columns.put(column.path("name").asText(), column.path("type").asText());
                    assertEquals(null, previous, stream.getKey() + " declares " + column.path("name") + " twice");
                }
                assertEquals(null, declared.put(stream.getKey(), columns), stream.getKey() + " in two rules");
                ruleOf.put(stream.getKey(), rule.path("name").asText());
            });
        }
        for (JsonNode table : resources(template, TABLE_TYPE)) {
            String schemaName = table.path("properties").path("schema").path("name").asText();
            String name = OfficialTables.defaultName(template, schemaName);
            Matcher parameter = Pattern.compile("\\[format\\('\\{0\\}_CL', parameters\\('(\\w+)'\\)\\)]")
                    .matcher(schemaName);
            assertTrue(parameter.matches(), "the table name is a parameter: " + schemaName);
            assertEquals("[format('{0}/{1}_CL', parameters('workspaceName'), parameters('" + parameter.group(1)
                    + "'))]", table.path("name").asText(), "resource name of table " + name);
            assertEquals(null, tables.put(name, table), "table " + name + " created twice");
        }
    }

    /**
     * accountColumn true (accounts sharing the workspace's tables) adds mimecastAccount, a string, to every table
     * and every stream, and changes nothing else; the default leaves it out everywhere. The connector writes it under
     * that name.
     */
    @Test
    void theAccountColumnIsOneMoreStringColumnEverywhereOnlyWhenAskedFor() throws Exception {
        JsonNode withAccounts = TemplateColumns.resolve(new ObjectMapper().readTree(TEMPLATE.toFile()),
                Map.of("accountColumn", com.fasterxml.jackson.databind.node.BooleanNode.TRUE));
        assertEquals("mimecastAccount", com.mimecastsentinel.transform.RowMapping.ACCOUNT);
        List<JsonNode> before = new ArrayList<>();
        List<JsonNode> after = new ArrayList<>();
        for (String type : List.of(TABLE_TYPE, DCR_TYPE)) {
            before.addAll(columnLists(resources(template, type), type));
            after.addAll(columnLists(resources(withAccounts, type), type));
        }
        assertEquals(13 + 13, before.size(), "13 tables, 13 streams");
        for (int i = 0; i < before.size(); i++) {
            List<JsonNode> columns = new ArrayList<>();
            after.get(i).forEach(columns::add);
            JsonNode last = columns.remove(columns.size() - 1);
            assertEquals("mimecastAccount", last.path("name").asText());
            assertEquals("string", last.path("type").asText());
            assertEquals(before.get(i), new ObjectMapper().valueToTree(columns), "nothing else changes");
            before.get(i).forEach(column -> assertFalse(column.path("name").asText().equals("mimecastAccount"),
                    "not there by default"));
        }
        // the tables command prepares the tables as its parameters file deploys them
        var prepared = com.mimecastsentinel.tables.TemplateTables.read(new ObjectMapper().readTree(TEMPLATE.toFile()),
                Map.of("accountColumn", com.fasterxml.jackson.databind.node.BooleanNode.TRUE));
        assertEquals(13, prepared.size());
        prepared.forEach(table -> assertTrue(table.columns().stream().anyMatch(c -> c.name().equals("mimecastAccount")),
                table.name()));
    }

    private static List<JsonNode> columnLists(List<JsonNode> resources, String type) {
        List<JsonNode> lists = new ArrayList<>();
        for (JsonNode resource : resources) {
            if (type.equals(TABLE_TYPE)) {
                lists.add(resource.path("properties").path("schema").path("columns"));
            } else {
                resource.path("properties").path("streamDeclarations").forEach(s -> lists.add(s.path("columns")));
            }
        }
        return lists;
    }

    @Test
    void theRulesAreDirectSoEachHasItsOwnIngestionEndpoint() {
        for (JsonNode rule : dcrs) {
            assertEquals("Direct", rule.path("kind").asText());
            assertTrue(rule.path("apiVersion").asText().compareTo("2023-03-11") >= 0,
                    "endpoints need 2023-03-11 or later");
            assertTrue(rule.path("properties").path("dataCollectionEndpointId").isMissingNode(),
                    "a Direct rule needs no data collection endpoint");
            assertEquals("[parameters('location')]", rule.path("location").asText());
            // Azure Monitor service limits for one data collection rule
            int streams = rule.path("properties").path("streamDeclarations").size();
            assertTrue(streams <= 10, "at most 10 streams in a rule: " + streams);
            assertTrue(rule.path("properties").path("dataFlows").size() <= 10, "at most 10 data flows in a rule");
            rule.path("properties").path("dataFlows").forEach(flow -> assertTrue(
                    flow.path("transformKql").asText().length() <= 15_360, "transformation too long: " + flow));
        }
    }

    @Test
    void awarenessTrainingGoesToItsOwnRuleAsItsRoutesSay() throws Exception {
        for (EmittedRows.LogType logType : emitted.logTypes) {
            if (emitted.notDcr.containsKey(logType.name())) {
                continue;
            }
            String route = java.nio.file.Files.readString(Path.of("routes", logType.name() + ".yaml"));
            boolean awareness = route.contains("dcrId: \"RAW({{sentinel.awareness-dcr-id}})\"")
                    && route.contains("ingestionEndpoint: \"RAW({{sentinel.awareness-ingestion-endpoint}})\"");
            assertEquals(logType.name().startsWith("awareness-"), awareness, logType.name() + " names its rule");
            assertEquals(awareness ? awarenessDcr.path("name").asText() : dcr.path("name").asText(),
                    ruleOf.get(logType.defaultStream()), logType.name() + " sends to " + logType.defaultStream());
        }
        assertEquals(4, awarenessDcr.path("properties").path("streamDeclarations").size(), "four Awareness tables");
    }

    @Test
    void everyColumnTheCodeSendsIsDeclaredWithACompatibleType() {
        List<String> problems = new ArrayList<>();
        emitted.streams.forEach((stream, columns) -> {
            Map<String, String> declaredColumns = declared.get(stream);
            if (declaredColumns == null) {
                problems.add(stream + " (sent by " + emitted.senders.get(stream) + ") is not declared");
                return;
            }
            columns.forEach((column, values) -> {
                String type = declaredColumns.get(column);
                if (type == null) {
                    problems.add(stream + "." + column + " " + values + " is sent but not declared");
                } else if (!values.fits(type)) {
                    problems.add(stream + "." + column + " " + values + " is declared " + type);
                }
            });
            assertEquals("datetime", declaredColumns.get("TimeGenerated"), stream + ".TimeGenerated");
        });
        assertEquals(List.of(), problems);
        emitted.rowCounts.forEach((stream, rows) -> assertTrue(rows > 0, stream + " got rows"));
    }

    @Test
    void everyDeclaredStreamIsOneTheCodeSendsTo() {
        assertEquals(emitted.streams.keySet(), declared.keySet());
        for (EmittedRows.LogType logType : emitted.logTypes) {
            if (emitted.notDcr.containsKey(logType.name())) {
                continue;
            }
            Matcher placeholder = EmittedRows.ENV_DEFAULT.matcher(logType.sink());
            assertTrue(placeholder.matches(), logType.name() + ": stream is {{env:SENTINEL_STREAM_…:default}}");
            assertEquals("SENTINEL_STREAM_" + logType.name().toUpperCase(Locale.ROOT).replace('-', '_'),
                    placeholder.group(1), logType.name());
            assertTrue(declared.containsKey(placeholder.group(2)), logType.name() + " sends to " + placeholder.group(2));
        }
        assertEquals(List.of("siem", "siem-legacy"), emitted.senders.get("Custom-Seg_Cg").stream().sorted().toList(),
                "both SIEM generations write Seg_Cg_CL, as the Function App connector did");
    }

    @Test
    void threatIntelligenceGoesToTheStixApiNotToTheRule() {
        assertEquals(Set.of("threat-intel"), emitted.notDcr.keySet());
        String stream = emitted.notDcr.get("threat-intel");
        assertFalse(stream.startsWith("Custom-"), stream);
        assertFalse(declared.containsKey(stream));
    }

    /** The data flows of both rules. */
    private static List<JsonNode> flows() {
        List<JsonNode> flows = new ArrayList<>();
        dcrs.forEach(rule -> rule.path("properties").path("dataFlows").forEach(flows::add));
        return flows;
    }

    @Test
    void everyDataFlowWritesATableTheTemplateCreates() {
        Set<String> destinations = new HashSet<>();
        dcrs.forEach(rule -> rule.path("properties").path("destinations").path("logAnalytics").forEach(d -> {
            destinations.add(d.path("name").asText());
            assertEquals("[parameters('workspaceResourceId')]", d.path("workspaceResourceId").asText());
        }));
        Map<String, Integer> flowsPerStream = new TreeMap<>();
        Map<String, Integer> flowsPerTable = new TreeMap<>();
        for (JsonNode flow : flows()) {
            assertEquals(1, flow.path("streams").size(), "one stream per flow: " + flow);
            String stream = flow.path("streams").get(0).asText();
            assertTrue(declared.containsKey(stream), "flow from undeclared " + stream);
            flow.path("destinations").forEach(d -> assertTrue(destinations.contains(d.asText()), d.asText()));
            String output = OfficialTables.defaultName(template, flow.path("outputStream").asText());
            assertTrue(output.startsWith("Custom-") && output.endsWith("_CL"), output);
            String table = output.substring("Custom-".length());
            assertTrue(tables.containsKey(table), output + " is not a table the template creates");
            assertEquals(stream + "_CL", output, "stream Custom-<Name> writes <Name>_CL");
            flowsPerStream.merge(stream, 1, Integer::sum);
            flowsPerTable.merge(table, 1, Integer::sum);
        }
        declared.keySet().forEach(s -> assertEquals(1, flowsPerStream.getOrDefault(s, 0), "flows from " + s));
        tables.keySet().forEach(t -> assertEquals(1, flowsPerTable.getOrDefault(t, 0), "flows into " + t));
    }

    @Test
    void eachTableHoldsExactlyWhatItsTransformWrites() {
        List<String> problems = new ArrayList<>();
        for (JsonNode flow : flows()) {
            String stream = flow.path("streams").get(0).asText();
            String table = OfficialTables.defaultName(template, flow.path("outputStream").asText()).substring("Custom-".length());
            if (!TRANSFORM.equals(flow.path("transformKql").asText())) {
                problems.add(stream + ": transform " + flow.path("transformKql").asText());
            }
            Map<String, String> written = declared.get(stream);
            Map<String, String> columns = new LinkedHashMap<>();
            for (JsonNode column : tables.get(table).path("properties").path("schema").path("columns")) {
                columns.put(column.path("name").asText(), column.path("type").asText().toLowerCase(Locale.ROOT));
            }
            if (!new TreeMap<>(written).equals(new TreeMap<>(columns))) {
                problems.add(table + ": the transform writes " + new TreeMap<>(written) + " but the table has "
                        + new TreeMap<>(columns));
            }
            if (!"datetime".equals(columns.get("TimeGenerated"))) {
                problems.add(table + ": TimeGenerated must be a dateTime column");
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void tableAndColumnNamesAreOnesLogAnalyticsAccepts() {
        List<String> problems = new ArrayList<>();
        tables.forEach((table, resource) -> {
            if (!table.matches("[A-Za-z][A-Za-z0-9_]*_CL")) {
                problems.add(table + ": a custom table name ends with _CL");
            }
            Set<String> seen = new TreeSet<>();
            for (JsonNode column : resource.path("properties").path("schema").path("columns")) {
                String name = column.path("name").asText();
                String type = column.path("type").asText().toLowerCase(Locale.ROOT);
                if (!COLUMN_NAME.matcher(name).matches()) {
                    problems.add(table + "." + name + ": not a valid column name (2-45 letters, digits, _)");
                }
                if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
                    problems.add(table + "." + name + ": reserved column name");
                }
                if (KQL_TYPE_NAMES.contains(name)) {
                    problems.add(table + "." + name + ": a KQL type name");
                }
                if (!seen.add(name)) {
                    problems.add(table + "." + name + ": twice");
                }
                if (!TABLE_TYPES.contains(type)) {
                    problems.add(table + "." + name + ": unknown column type " + type);
                }
            }
        });
        declared.forEach((stream, columns) -> {
            if (!stream.startsWith("Custom-")) {
                problems.add(stream + ": a custom stream's name starts with Custom-");
            }
            columns.forEach((name, type) -> {
                if (!COLUMN_NAME.matcher(name).matches()) {
                    problems.add(stream + "." + name + ": not a valid column name (2-45 letters, digits, _)");
                }
                if (!STREAM_TYPES.contains(type)) {
                    problems.add(stream + "." + name + ": unknown stream type " + type);
                }
            });
        });
        assertEquals(List.of(), problems);
    }

    @Test
    void theRulesAreInTheWorkspacesRegionAndCreatedAfterTheTables() {
        JsonNode rules = deployment("dcrDeployment");
        assertEquals(resources(rules.path("properties").path("template"), DCR_TYPE), dcrs, "both rules in it");
        assertEquals("[reference(parameters('workspaceResourceId'), '2022-10-01', 'Full').location]",
                rules.path("properties").path("parameters").path("location").path("value").asText(),
                "the workspace's region: a rule in another region is refused");
        assertFalse(template.path("parameters").has("location"), "no region to get wrong");
        assertEquals("[resourceId(variables('workspaceSubscriptionId'), variables('workspaceResourceGroup'), "
                + "'Microsoft.Resources/deployments', variables('tablesDeployment'))]", rules.path("dependsOn").get(0)
                .asText(), "after the tables their data flows write (InvalidOutputTable otherwise), in the "
                + "workspace's resource group");
    }

    /**
     * ARM resolves parameters() and variables() in the template that declares them: an inner-scope nested
     * deployment sees only its own, and gets a value for each parameter without a default from its caller. A name
     * used where it is not declared fails the deployment, not a test: checked here for every template.
     */
    @Test
    void everyParameterAndVariableIsDeclaredWhereItIsUsed() {
        List<String> problems = new ArrayList<>();
        checkScope("the template", template, problems);
        assertEquals(List.of(), problems);

        // the check sees a variable of the outer template used inside an inner-scope deployment
        com.fasterxml.jackson.databind.node.ObjectNode broken = template.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.path("outputs").path("workspaceId"))
                .put("value", "[parameters('nope')]");
        ((com.fasterxml.jackson.databind.node.ObjectNode) deploymentIn(broken, "rolesDeployment").path("properties")
                .path("template").path("resources").get(0)).put("name", "[variables('dcrDeployment')]");
        checkScope("the template", broken, problems);
        assertEquals(2, problems.size(), problems.toString());
    }

    private static void checkScope(String where, JsonNode scope, List<String> problems) {
        Pattern use = Pattern.compile("(parameters|variables)\\('([^']+)'\\)");
        Set<String> declaredParameters = new TreeSet<>();
        scope.path("parameters").fieldNames().forEachRemaining(declaredParameters::add);
        Set<String> declaredVariables = new TreeSet<>();
        scope.path("variables").fieldNames().forEachRemaining(declaredVariables::add);
        List<String> expressions = new ArrayList<>();
        List<JsonNode> nested = new ArrayList<>();
        for (String section : List.of("variables", "resources", "outputs")) {
            expressions(scope.path(section), expressions, nested);
        }
        for (String expression : expressions) {
            Matcher m = use.matcher(expression);
            while (m.find()) {
                if (!(m.group(1).equals("parameters") ? declaredParameters : declaredVariables).contains(m.group(2))) {
                    problems.add(where + ": " + m.group() + " is not declared there");
                }
            }
        }
        for (JsonNode deployment : nested) {
            JsonNode inner = deployment.path("template");
            String name = where + " > " + inner.path("resources").get(0).path("type").asText() + " deployment";
            Set<String> passed = new TreeSet<>();
            deployment.path("parameters").fieldNames().forEachRemaining(passed::add);
            inner.path("parameters").fields().forEachRemaining(p -> {
                if (!p.getValue().has("defaultValue") && !passed.remove(p.getKey())) {
                    problems.add(name + ": parameter " + p.getKey() + " gets no value");
                }
                passed.remove(p.getKey());
            });
            passed.forEach(p -> problems.add(name + ": passes " + p + ", which it does not declare"));
            checkScope(name, inner, problems);
        }
    }

    /** The strings of a scope, and the nested deployments (properties with an inline template) it holds. */
    private static void expressions(JsonNode node, List<String> expressions, List<JsonNode> nested) {
        if (node.isTextual()) {
            expressions.add(node.asText());
        } else if (node.has("template") && node.path("template").has("resources")) {
            nested.add(node);
            node.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("template")) {
                    expressions(f.getValue(), expressions, nested); // the values it passes are the caller's
                }
            });
        } else {
            node.forEach(child -> expressions(child, expressions, nested));
        }
    }

    @Test
    void tablesAreCreatedOnlyWhenTheUserSaysNoneExists() {
        JsonNode tablesDeployment = deployment("tablesDeployment");
        assertEquals("[parameters('createTables')]", tablesDeployment.path("condition").asText());
        JsonNode createTables = template.path("parameters").path("createTables");
        assertEquals("bool", createTables.path("type").asText());
        assertFalse(createTables.has("defaultValue"), "a choice, not a default: true over existing tables deletes "
                + "the columns the template does not list");
        assertEquals(List.of(), resources(tablesDeployment, ROLE_TYPE), "nothing but tables in it");
    }

    @Test
    void roleAssignmentsAreDeploymentsOfTheirOwnThatNothingWaitsFor() {
        List<JsonNode> publishers = roleAssignments(MONITORING_METRICS_PUBLISHER);
        assertEquals(2, publishers.size(), "a Monitoring Metrics Publisher assignment on each rule");
        JsonNode roles = deployment("rolesDeployment");
        assertEquals(publishers, resources(roles, ROLE_TYPE), "in the roles deployment");
        assertEquals("[not(empty(parameters('principalId')))]", roles.path("condition").asText());
        // its rule names come from the rules' deployment: judged once the rules exist, after the data path
        for (String rule : List.of("dataCollectionRuleName", "awarenessDataCollectionRuleName")) {
            assertTrue(roles.path("properties").path("parameters").path(rule).path("value").asText()
                    .contains("variables('dcrDeployment'))).outputs."), rule);
        }
        for (int i = 0; i < 2; i++) {
            JsonNode publisher = publishers.get(i);
            String rule = i == 0 ? "dataCollectionRuleName" : "awarenessDataCollectionRuleName";
            assertEquals("[format('Microsoft.Insights/dataCollectionRules/{0}', parameters('" + rule + "'))]",
                    publisher.path("scope").asText(), "scoped to the rule");
            assertEquals("[parameters('principalId')]", publisher.path("properties").path("principalId").asText());
            assertEquals("[parameters('principalType')]", publisher.path("properties").path("principalType").asText());
        }

        JsonNode contributor = roleAssignment(SENTINEL_CONTRIBUTOR);
        assertNotNull(contributor, "optional Microsoft Sentinel Contributor assignment (threat intelligence)");
        JsonNode sentinelRole = deployment("sentinelRoleDeployment");
        assertEquals(List.of(contributor), resources(sentinelRole, ROLE_TYPE));
        assertTrue(sentinelRole.path("condition").asText().contains("assignSentinelContributor"));
        assertEquals("[variables('workspaceResourceGroup')]", sentinelRole.path("resourceGroup").asText());
        assertTrue(contributor.path("scope").asText().contains("Microsoft.OperationalInsights/workspaces/"));

        for (JsonNode resource : template.path("resources")) {
            String dependsOn = resource.path("dependsOn").toString();
            assertFalse(dependsOn.contains("rolesDeployment") || dependsOn.contains("sentinelRoleDeployment"),
                    resource.path("name") + " waits for a role assignment");
        }
    }

    @Test
    void theOutputsAreWhatTheConnectorIsConfiguredWith() {
        JsonNode outputs = deployment("dcrDeployment").path("properties").path("template").path("outputs");
        outputs.fieldNames().forEachRemaining(name -> assertEquals("[reference(resourceId("
                + "'Microsoft.Resources/deployments', variables('dcrDeployment'))).outputs." + name + ".value]",
                template.path("outputs").path(name).path("value").asText(), "the template's output " + name));
        // SENTINEL_INGESTION_ENDPOINT / SENTINEL_DCR_ID and their SENTINEL_AWARENESS_ pair
        for (String prefix : List.of("", "awareness")) {
            String ruleName = prefix.isEmpty() ? "dataCollectionRuleName" : "awarenessDataCollectionRuleName";
            String endpoint = outputs.path(prefix.isEmpty() ? "ingestionEndpoint" : "awarenessIngestionEndpoint")
                    .path("value").asText();
            String immutableId = outputs.path(prefix.isEmpty() ? "dcrImmutableId" : "awarenessDcrImmutableId")
                    .path("value").asText();
            assertTrue(endpoint.contains("'" + DCR_TYPE + "', parameters('" + ruleName + "')")
                    && endpoint.endsWith(".endpoints.logsIngestion]"), endpoint);
            assertTrue(immutableId.contains("'" + DCR_TYPE + "', parameters('" + ruleName + "')")
                    && immutableId.endsWith(".immutableId]"), immutableId);
            for (String value : List.of(endpoint, immutableId)) {
                Matcher version = Pattern.compile("'(\\d{4}-\\d{2}-\\d{2})'\\)").matcher(value);
                assertTrue(version.find() && version.group(1).compareTo("2023-03-11") >= 0, value);
            }
        }
        assertTrue(outputs.path("workspaceId").path("value").asText().endsWith(".customerId]"),
                "SENTINEL_WORKSPACE_ID for threat intelligence");
    }

    @Test
    void theExampleParametersFitTheTemplate() throws Exception {
        JsonNode example = new ObjectMapper().readTree(PARAMETERS.toFile()).path("parameters");
        JsonNode parameters = template.path("parameters");
        example.fields().forEachRemaining(p -> {
            JsonNode definition = parameters.path(p.getKey());
            assertFalse(definition.isMissingNode(), "unknown parameter " + p.getKey());
            JsonNode value = p.getValue().path("value");
            String type = definition.path("type").asText();
            assertTrue(type.equals("string") && value.isTextual() || type.equals("bool") && value.isBoolean()
                    || type.equals("int") && value.isInt(), p.getKey() + " is a " + type);
            if (definition.has("allowedValues")) {
                assertTrue(definition.path("allowedValues").toString().contains(value.toString()), p.getKey());
            }
        });
        parameters.fields().forEachRemaining(p -> assertTrue(p.getValue().has("defaultValue")
                || example.has(p.getKey()), "required parameter " + p.getKey() + " is in the example"));
    }

    // ---- helpers ----

    /** The template's nested deployment named by this variable. */
    private static JsonNode deployment(String variable) {
        return deploymentIn(template, variable);
    }

    private static JsonNode deploymentIn(JsonNode template, String variable) {
        for (JsonNode resource : template.path("resources")) {
            if (("[variables('" + variable + "')]").equals(resource.path("name").asText())) {
                return resource;
            }
        }
        throw new AssertionError("no deployment named by variables('" + variable + "')");
    }

    /** The role assignment whose role definition resolves to this id (the first, if there are more). */
    private static JsonNode roleAssignment(String roleDefinitionId) {
        List<JsonNode> assignments = roleAssignments(roleDefinitionId);
        return assignments.isEmpty() ? null : assignments.get(0);
    }

    /** The role assignments whose role definition resolves to this id, in template order. */
    private static List<JsonNode> roleAssignments(String roleDefinitionId) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode assignment : resources(template, ROLE_TYPE)) {
            String role = assignment.path("properties").path("roleDefinitionId").asText();
            Matcher variable = Pattern.compile("variables\\('([^']+)'\\)").matcher(role);
            if (role.contains(roleDefinitionId)
                    || variable.find() && roleDefinitionId.equals(variableValue(variable.group(1)))) {
                found.add(assignment);
            }
        }
        return found;
    }

    /** A variable of the template or of a nested deployment's template. */
    private static String variableValue(String name) {
        List<String> values = new ArrayList<>();
        walk(template, node -> {
            if (node.path("variables").has(name)) {
                values.add(node.path("variables").path(name).asText());
            }
        });
        return values.isEmpty() ? null : values.get(0);
    }

    /** Resources of a type anywhere in the template, nested deployments included. */
    static List<JsonNode> resources(JsonNode root, String type) {
        List<JsonNode> found = new ArrayList<>();
        walk(root, node -> {
            if (type.equals(node.path("type").asText()) && node.has("apiVersion")) {
                found.add(node);
            }
        });
        return found;
    }

    private static void walk(JsonNode node, Consumer<JsonNode> visitor) {
        if (node.isObject()) {
            visitor.accept(node);
        }
        if (node.isContainerNode()) {
            node.forEach(child -> walk(child, visitor));
        }
    }
}
