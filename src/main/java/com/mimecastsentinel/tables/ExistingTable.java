package com.mimecastsentinel.tables;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A table as the Tables API reads it ({@code GET …/tables/{name}}): its {@code tableSubType}, its custom columns
 * ({@code schema.columns}) and its system ones ({@code schema.standardColumns}: TimeGenerated, TenantId, …), and the
 * plan and retention a PUT must carry so that adding columns changes nothing else.
 */
public record ExistingTable(String subType, List<TableColumn> columns, List<TableColumn> standardColumns,
        JsonNode properties) {
    public static final String CLASSIC = "Classic";
    public static final String DCR_BASED = "DataCollectionRuleBased";

    static ExistingTable of(JsonNode answer) {
        JsonNode properties = answer.path("properties");
        JsonNode schema = properties.path("schema");
        return new ExistingTable(schema.path("tableSubType").asText(""), columns(schema.path("columns")),
                columns(schema.path("standardColumns")), properties);
    }

    private static List<TableColumn> columns(JsonNode columns) {
        List<TableColumn> parsed = new ArrayList<>();
        for (JsonNode column : columns) {
            TableColumn c = TableColumn.of(column);
            if (c != null) {
                parsed.add(c);
            }
        }
        return List.copyOf(parsed);
    }

    /** A custom or standard column of that name: a standard column counts as present (it is the service's). */
    public Optional<TableColumn> column(String name) {
        return Stream.concat(columns.stream(), standardColumns.stream()).filter(c -> c.name().equals(name))
                .findFirst();
    }

    /**
     * The body of a PUT that keeps every custom column as it is (a PUT deletes the columns it omits) and adds
     * {@code added}; the standard columns are the service's and are never sent. The plan and a retention the table
     * does not take from the workspace go back as read, so the PUT does not reset them.
     */
    ObjectNode updateBody(String name, List<TableColumn> added) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode target = body.putObject("properties");
        if (properties.path("plan").isTextual()) {
            target.set("plan", properties.get("plan"));
        }
        for (String retention : List.of("retentionInDays", "totalRetentionInDays")) {
            if (properties.path(retention).isInt() && !properties.path(retention + "AsDefault").asBoolean(true)) {
                target.set(retention, properties.get(retention));
            }
        }
        var array = target.putObject("schema").put("name", name).putArray("columns");
        Stream.concat(columns.stream(), added.stream()).forEach(c -> array.add(c.definition()));
        return body;
    }
}
