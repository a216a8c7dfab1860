package com.mimecastsentinel.tables;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A column of a table: its name and type, and {@code definition}, what a table PUT carries for it — the writable
 * fields only, so that a column read from the workspace is sent back as it is (description included) and the
 * read-only ones ({@code isHidden}, {@code isDefaultDisplay}) never are.
 */
public record TableColumn(String name, String type, @JsonIgnore ObjectNode definition) {
    private static final List<String> WRITABLE = List.of("name", "type", "description", "displayName",
            "dataTypeHint");

    /** A column as the template or the Tables API writes it; null when it has no textual name and type. */
    static TableColumn of(JsonNode column) {
        if (!column.path("name").isTextual() || !column.path("type").isTextual()) {
            return null;
        }
        ObjectNode definition = JsonNodeFactory.instance.objectNode();
        for (String field : WRITABLE) {
            if (column.hasNonNull(field)) {
                definition.set(field, column.get(field));
            }
        }
        return new TableColumn(column.path("name").asText(), column.path("type").asText(), definition);
    }

    /** The Tables API answers {@code datetime} for the {@code dateTime} a template declares: the same type. */
    public boolean sameType(TableColumn other) {
        return type.toLowerCase(Locale.ROOT).equals(other.type.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return name + " " + type;
    }
}
