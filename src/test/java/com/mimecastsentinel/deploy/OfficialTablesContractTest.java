package com.mimecastsentinel.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A drop-in for Mimecast's official Sentinel solution: deploy/azure/azuredeploy.json declares every column of the
 * official tables with its official type (test resource contract/official-sentinel-tables.json, sources named
 * there), and the rows the real routes make from the simulator's records of every log type use only those columns
 * (plus this connector's own), each in a value its column takes.
 */
class OfficialTablesContractTest {
    /** Columns of ours beside the official ones. */
    private static final Set<String> OURS = Set.of("mimecastEventId", "AdditionalFields");

    private static OfficialTables official;
    private static EmittedRows emitted;
    /** table (default name) -> column -> type, as the template declares it */
    private static final Map<String, Map<String, String>> tables = new LinkedHashMap<>();
    /** table (default name) -> the stream that writes it */
    private static final Map<String, String> streamOf = new LinkedHashMap<>();

    @BeforeAll
    static void load() throws Exception {
        official = OfficialTables.load();
        emitted = EmittedRows.once();
        // as deployed by default (accountColumn false): the official tables and the connector's two columns
        JsonNode template = com.mimecastsentinel.tables.TemplateColumns.resolve(new ObjectMapper().readTree(
                Path.of("deploy", "azure", "azuredeploy.json").toFile()), Map.of());
        List<JsonNode> found = new ArrayList<>();
        AzureTemplateTest.resources(template, "Microsoft.OperationalInsights/workspaces/tables").forEach(found::add);
        for (JsonNode table : found) {
            String name = OfficialTables.defaultName(template, table.path("properties").path("schema").path("name").asText());
            Map<String, String> columns = new LinkedHashMap<>();
            table.path("properties").path("schema").path("columns").forEach(c -> columns.put(c.path("name").asText(),
                    OfficialTables.normalized(c.path("type").asText())));
            tables.put(name, columns);
        }
        for (JsonNode flows : template.path("resources").findValues("dataFlows")) { // both rules
            for (JsonNode flow : flows) {
                streamOf.put(OfficialTables.defaultName(template, flow.path("outputStream").asText())
                        .substring("Custom-".length()), flow.path("streams").get(0).asText());
            }
        }
    }

    @Test
    void theTemplateDeclaresEveryOfficialColumnWithItsOfficialType() {
        List<String> problems = new ArrayList<>();
        official.tables().forEach((table, columns) -> {
            Map<String, String> ours = tables.get(table);
            if (ours == null) {
                problems.add(table + " is not created");
                return;
            }
            columns.forEach((column, type) -> {
                String declared = ours.get(column);
                if (OfficialTables.tooLongForANewTable(column)) {
                    if (declared != null) {
                        problems.add(table + "." + column + " is longer than a new table's column may be");
                    }
                } else if (declared == null) {
                    problems.add(table + "." + column + " (" + type + ") is missing");
                } else if (!declared.equals(type)) {
                    problems.add(table + "." + column + " is " + declared + ", officially " + type);
                }
            });
            ours.keySet().stream().filter(c -> !columns.containsKey(c) && !OURS.contains(c))
                    .forEach(c -> problems.add(table + "." + c + " is not an official column"));
            Set<String> folded = new TreeSet<>();
            ours.keySet().forEach(c -> {
                if (!folded.add(c.toLowerCase(Locale.ROOT))) {
                    problems.add(table + "." + c + ": another column differs only by case");
                }
            });
        });
        assertEquals(List.of(), problems, "against " + official.sources());
    }

    @Test
    void everyLogTypesRowsUseOnlyOfficialColumnsInValuesTheyTake() {
        List<String> problems = new ArrayList<>();
        official.tables().forEach((table, columns) -> {
            String stream = streamOf.get(table);
            Map<String, EmittedRows.Column> sent = emitted.streams.get(stream);
            if (sent == null || emitted.rowCounts.getOrDefault(stream, 0) == 0) {
                problems.add(table + ": no rows sent to " + stream);
                return;
            }
            sent.forEach((column, values) -> {
                String type = columns.containsKey(column) ? columns.get(column) : tables.get(table).get(column);
                if (type == null || !columns.containsKey(column) && !OURS.contains(column)) {
                    problems.add(table + "." + column + " " + values + " is sent but not an official column");
                } else if (!values.fits(type)) {
                    problems.add(table + "." + column + " " + values + " does not fit its type " + type);
                }
            });
        });
        assertEquals(List.of(), problems);
    }

    /**
     * The official Ttp_Url_CL columns whose names a new table cannot have (more than 45 characters) are not lost:
     * their values are in AdditionalFields, under the column's name.
     */
    @Test
    void officialColumnsTooLongForANewTableGoToAdditionalFields() {
        Map<String, String> columns = official.tables().get("Ttp_Url_CL");
        List<String> tooLong = columns.keySet().stream().filter(OfficialTables::tooLongForANewTable).toList();
        assertEquals(8, tooLong.size(), tooLong.toString());
        Set<String> additional = emitted.additionalFields.get(streamOf.get("Ttp_Url_CL"));
        List<String> simulated = List.of("tagMap_DangerousFileExt_ContentCheck_ContentScannersBlocked",
                "tagMap_AdvancedPhishing_CredentialTheftEvidence", "advancedPhishingResult_CredentialTheftEvidence");
        assertTrue(tooLong.containsAll(simulated), simulated.toString());
        assertTrue(additional.containsAll(simulated), "in AdditionalFields: " + additional);
        Map<String, EmittedRows.Column> url = emitted.streams.get(streamOf.get("Ttp_Url_CL"));
        tooLong.forEach(column -> assertFalse(url.containsKey(column), column + " is not a column of the rows"));
    }

    @Test
    void rowsCarryTheOfficialShapes() {
        Map<String, EmittedRows.Column> url = emitted.streams.get(streamOf.get("Ttp_Url_CL"));
        assertTrue(url.keySet().stream().filter(c -> c.startsWith("tagMap_")).count() >= 3,
                "tagMap flattened into its columns: " + url.keySet());
        assertTrue(url.keySet().stream().anyMatch(c -> c.startsWith("advancedPhishingResult_")),
                url.keySet().toString());
        assertFalse(url.containsKey("tagMap") || url.containsKey("date") || url.containsKey("category"),
                url.keySet().toString());
        assertEquals(Set.of("string"), url.get("tagMap_DangerousFileExt_Status").kinds, "arrays as JSON text");

        Map<String, EmittedRows.Column> ci = emitted.streams.get(streamOf.get("Cloud_Integrated_CL"));
        assertTrue(ci.keySet().containsAll(List.of("type_", "offset", "partition", "policiesApplied")),
                ci.keySet().toString());
        assertTrue(ci.get("AdditionalFields").kinds.contains("object"), "mailflow and urlclick fields kept");

        for (String table : List.of("Audit_CL", "Ttp_Impersonation_CL")) {
            Map<String, EmittedRows.Column> rows = emitted.streams.get(streamOf.get(table));
            assertTrue(rows.containsKey("id"), table + " keeps id: " + rows.keySet());
            assertTrue(rows.get("eventTime").allStringsAreInstants, table + ".eventTime as ISO-8601");
        }
        assertEquals(Set.of("string"), emitted.streams.get(streamOf.get("Ttp_Impersonation_CL"))
                .get("impersonationResults").kinds, "impersonationResults as JSON text");

        emitted.streams.forEach((stream, columns) -> assertFalse(columns.containsKey("TimeGenerated"),
                stream + ": TimeGenerated is left to the rule (the ingestion time) by default"));
    }
}
