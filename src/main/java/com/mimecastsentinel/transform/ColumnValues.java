package com.mimecastsentinel.transform;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.mimecastsentinel.transform.RowMapping.ColumnType;

/**
 * A Mimecast value in the type of a Log Analytics column, or null when it does not fit (the mapping then keeps it in
 * AdditionalFields rather than let the workspace store an empty cell). Mimecast sends times as
 * {@code 2024-05-01T10:00:00+0000}, which a datetime column does not take as is: they go as ISO-8601 UTC.
 */
final class ColumnValues {
    private ColumnValues() {
    }

    static JsonNode convert(ColumnType type, JsonNode value) {
        if (value == null || value.isNull()) {
            return NullNode.getInstance();
        }
        return switch (type) {
            case STRING, GUID -> value.isTextual() ? value
                    : TextNode.valueOf(value.isContainerNode() ? value.toString() : value.asText());
            case DYNAMIC -> value;
            case DATETIME -> EventTimes.parse(value).map(time -> (JsonNode) TextNode.valueOf(time.toString()))
                    .orElse(null);
            case REAL -> number(value);
            case LONG, INT -> whole(number(value));
            case BOOLEAN -> bool(value);
        };
    }

    private static JsonNode number(JsonNode value) {
        if (value.isNumber()) {
            return value;
        }
        if (value.isTextual()) {
            try {
                return DecimalNode.valueOf(new BigDecimal(value.asText().trim()));
            } catch (NumberFormatException notANumber) {
                return null;
            }
        }
        return null;
    }

    private static JsonNode whole(JsonNode number) {
        if (number == null || number.isIntegralNumber()) {
            return number;
        }
        try {
            return LongNode.valueOf(number.decimalValue().longValueExact());
        } catch (ArithmeticException fraction) {
            return null;
        }
    }

    private static JsonNode bool(JsonNode value) {
        if (value.isBoolean()) {
            return value;
        }
        String text = value.asText().trim();
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return BooleanNode.valueOf(Boolean.parseBoolean(text));
        }
        return null;
    }
}
