package com.mimecastsentinel.tables;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The tables the ARM template declares: every {@code Microsoft.OperationalInsights/workspaces/tables} resource at
 * any depth (the template puts them in a nested deployment, in the workspace's resource group, and may put a
 * condition on them: they are collected whatever it says, since this command exists for the tables a deployment
 * skips). Only the name form the template uses is understood; anything else fails naming the resource, rather than
 * guessing a table name and preparing the wrong table.
 */
public final class TemplateTables {
    public static final String TABLE_TYPE = "Microsoft.OperationalInsights/workspaces/tables";
    /** The working directory's copy (what {@code az deployment group create} would deploy from this checkout). */
    static final Path LOCAL = Path.of("deploy", "azure", "azuredeploy.json");
    /** The copy packaged in the jar (pom.xml), for a jar run elsewhere. */
    static final String PACKAGED = "/deploy/azuredeploy.json";
    private static final Pattern NAME = Pattern.compile("\\[format\\('\\{0\\}_CL',\\s*parameters\\('(\\w+)'\\)\\)]");
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_]{1,60}_CL");

    private TemplateTables() {
    }

    /** A template and where it was read from (for the report). */
    public record Template(JsonNode json, String source) {
    }

    public static Template load() {
        ObjectMapper json = new ObjectMapper();
        try {
            if (Files.isRegularFile(LOCAL)) {
                return new Template(json.readTree(LOCAL.toFile()), LOCAL.toString());
            }
            try (InputStream packaged = TemplateTables.class.getResourceAsStream(PACKAGED)) {
                if (packaged == null) {
                    throw new IllegalStateException("no ARM template: neither " + LOCAL + " nor " + PACKAGED
                            + " in the jar");
                }
                return new Template(json.readTree(packaged), "classpath:" + PACKAGED.substring(1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ARM template: " + e.getMessage(), e);
        }
    }

    /**
     * @param parameters the values of a parameters file (parameter name to value); a parameter it does not give takes
     *                   the template's {@code defaultValue}
     */
    public static List<DesiredTable> read(JsonNode template, Map<String, JsonNode> parameters) {
        List<JsonNode> resources = new ArrayList<>();
        // the column lists as these parameters deploy them (accountColumn adds one)
        collect(TemplateColumns.resolve(template, parameters).path("resources"), "", resources);
        List<DesiredTable> tables = new ArrayList<>();
        Map<String, String> parameterOf = new HashMap<>();
        for (JsonNode resource : resources) {
            DesiredTable table = table(template, resource, parameters);
            String earlier = parameterOf.putIfAbsent(table.name(), table.parameter());
            if (earlier != null) {
                throw new IllegalArgumentException("two tables are named " + table.name() + " (template parameters "
                        + earlier + " and " + table.parameter() + ")");
            }
            tables.add(table);
        }
        if (tables.isEmpty()) {
            throw new IllegalStateException("the ARM template declares no " + TABLE_TYPE + " resource");
        }
        return tables;
    }

    /**
     * Walks {@code resources} (an array, or an object of symbolic names in language version 2.0), child resources
     * (whose type is relative to their parent's) and nested deployments' templates.
     */
    private static void collect(JsonNode resources, String parentType, List<JsonNode> found) {
        for (JsonNode resource : resources) {
            String type = resource.path("type").asText();
            String fullType = parentType.isEmpty() || type.contains("/") ? type : parentType + "/" + type;
            if (fullType.equalsIgnoreCase(TABLE_TYPE)) {
                found.add(resource);
            }
            collect(resource.path("resources"), fullType, found);
            collect(resource.path("properties").path("template").path("resources"), "", found);
        }
    }

    private static DesiredTable table(JsonNode template, JsonNode resource, Map<String, JsonNode> parameters) {
        String resourceName = TABLE_TYPE + " " + resource.path("name").asText("(no name)");
        JsonNode schema = resource.path("properties").path("schema");
        String expression = schema.path("name").asText();
        Matcher match = NAME.matcher(expression);
        if (!match.matches()) {
            throw new IllegalStateException("template resource " + resourceName + ": properties.schema.name '"
                    + expression + "' is not of the form [format('{0}_CL', parameters('<parameter>'))]");
        }
        String parameter = match.group(1);
        JsonNode value = parameters.containsKey(parameter) ? parameters.get(parameter)
                : template.path("parameters").path(parameter).path("defaultValue");
        if (!value.isTextual() || value.asText().startsWith("[")) {
            throw new IllegalArgumentException("template resource " + resourceName + ": parameter " + parameter
                    + " has no value (give it in the parameters file)");
        }
        String name = value.asText() + "_CL";
        if (!TABLE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("template parameter " + parameter + " makes the table name '" + name
                    + "', which is not letters, digits and underscores");
        }
        List<TableColumn> columns = new ArrayList<>();
        for (JsonNode column : schema.path("columns")) {
            TableColumn parsed = TableColumn.of(column);
            if (parsed == null) {
                throw new IllegalStateException("template resource " + resourceName
                        + ": a column without a textual name and type: " + column);
            }
            columns.add(parsed);
        }
        if (columns.isEmpty()) {
            throw new IllegalStateException("template resource " + resourceName + " declares no columns");
        }
        return new DesiredTable(name, parameter, schema.path("description").textValue(), List.copyOf(columns));
    }
}
