package com.mimecastsentinel.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The official Mimecast solution's tables (src/test/resources/contract/official-sentinel-tables.json, each with the
 * Azure/Azure-Sentinel file it comes from): table → column → type.
 */
record OfficialTables(Map<String, Map<String, String>> tables, Map<String, String> sources) {

    static OfficialTables load() {
        try (InputStream in = OfficialTables.class.getResourceAsStream("/contract/official-sentinel-tables.json")) {
            JsonNode contract = new ObjectMapper().readTree(in);
            Map<String, Map<String, String>> tables = new LinkedHashMap<>();
            Map<String, String> sources = new LinkedHashMap<>();
            contract.path("tables").fields().forEachRemaining(table -> {
                Map<String, String> columns = new LinkedHashMap<>();
                for (String column : table.getValue().path("columns").asText().split(",")) {
                    String[] nameAndType = column.trim().split(":");
                    columns.put(nameAndType[0], nameAndType.length > 1 ? nameAndType[1] : "string");
                }
                tables.put(table.getKey(), columns);
                sources.put(table.getKey(), table.getValue().path("source").asText());
            });
            return new OfficialTables(tables, sources);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An official column a table created through the Tables API or for a DCR cannot have: Log Analytics takes
     * column names of 2 to 45 characters (8 of Ttp_Url_CL's, from the official KQL test fixture, are longer).
     */
    static boolean tooLongForANewTable(String column) {
        return column.length() > 45;
    }

    private static final java.util.regex.Pattern TABLE_NAME = java.util.regex.Pattern
            .compile("\\[format\\('(Custom-)?\\{0\\}_CL', parameters\\('(\\w+)'\\)\\)]");

    /**
     * A table or output stream name of the template made from a table name parameter
     * ({@code [format('{0}_CL', parameters('X'))]}), with X's default; other names as they are.
     */
    static String defaultName(JsonNode template, String expression) {
        java.util.regex.Matcher m = TABLE_NAME.matcher(expression);
        if (!m.matches()) {
            return expression;
        }
        return (m.group(1) == null ? "" : m.group(1))
                + template.path("parameters").path(m.group(2)).path("defaultValue").asText() + "_CL";
    }

    /** A type as the contract writes it: Log Analytics names, lower case ({@code dateTime} → {@code datetime}). */
    static String normalized(String type) {
        return type.toLowerCase(Locale.ROOT);
    }
}
