package com.mimecastsentinel.tables;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A table as the ARM template declares it: its name (resolved from the template parameter {@code parameter}), its
 * description and its columns ({@code TimeGenerated} among them).
 */
public record DesiredTable(String name, String parameter, String description, List<TableColumn> columns) {

    public Optional<TableColumn> column(String column) {
        return columns.stream().filter(c -> c.name().equals(column)).findFirst();
    }

    /** The body of the PUT that creates the table: the template's schema, as a deployment would send it. */
    ObjectNode createBody() {
        ObjectNode schema = JsonNodeFactory.instance.objectNode().put("name", name);
        if (description != null) {
            schema.put("description", description);
        }
        var array = schema.putArray("columns");
        columns.forEach(column -> array.add(column.definition()));
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("properties").set("schema", schema);
        return body;
    }
}
