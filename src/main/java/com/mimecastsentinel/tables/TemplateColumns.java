package com.mimecastsentinel.tables;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The ARM template as deployed with some parameter values, as far as its column lists go: a table's
 * {@code properties.schema.columns} and a rule's {@code streamDeclarations.*.columns} are either literal arrays or
 * {@code [concat(variables('a'), variables('b'))]} of their template's variables, each a literal array or
 * {@code [if(parameters('p'), createArray(createObject('name', …, 'type', …)), createArray())]} (the optional
 * {@code accountColumn}). Those forms are evaluated, in nested deployments too (with the parameter values the outer
 * template passes them); any other expression in a column list fails naming it, rather than guessing what Azure
 * would deploy.
 */
public final class TemplateColumns {
    private static final Pattern CONCAT = Pattern.compile("\\[concat\\((.*)\\)]");
    private static final Pattern VARIABLE = Pattern.compile("\\s*variables\\('(\\w+)'\\)\\s*");
    private static final Pattern OPTIONAL = Pattern.compile(
            "\\[if\\(parameters\\('(\\w+)'\\),\\s*createArray\\(createObject\\((.*)\\)\\),\\s*createArray\\(\\)\\)]");
    private static final Pattern PARAMETER = Pattern.compile("\\[parameters\\('(\\w+)'\\)]");
    private static final Pattern QUOTED = Pattern.compile("'((?:[^']|'')*)'");

    private TemplateColumns() {
    }

    /**
     * A copy of {@code template} whose column lists are literal arrays, as deployed with {@code parameters} (name to
     * value; a parameter not given takes its {@code defaultValue}).
     */
    public static JsonNode resolve(JsonNode template, Map<String, JsonNode> parameters) {
        ObjectNode copy = template.deepCopy();
        resolveIn(copy, parameters);
        return copy;
    }

    private static void resolveIn(ObjectNode template, Map<String, JsonNode> given) {
        Map<String, JsonNode> values = new HashMap<>();
        template.path("parameters").fields().forEachRemaining(parameter -> values.put(parameter.getKey(),
                given.containsKey(parameter.getKey()) ? given.get(parameter.getKey())
                        : parameter.getValue().path("defaultValue")));
        JsonNode variables = template.path("variables");
        for (JsonNode resource : template.path("resources")) {
            String type = resource.path("type").asText();
            JsonNode properties = resource.path("properties");
            if (type.equalsIgnoreCase(TemplateTables.TABLE_TYPE)) {
                ObjectNode schema = (ObjectNode) properties.path("schema");
                schema.set("columns", columns(schema.path("columns"), variables, values, resource));
            } else if (type.equalsIgnoreCase("Microsoft.Insights/dataCollectionRules")) {
                properties.path("streamDeclarations").fields().forEachRemaining(stream -> ((ObjectNode) stream
                        .getValue()).set("columns", columns(stream.getValue().path("columns"), variables, values,
                                resource)));
            } else if (properties.path("template").isObject()) {
                Map<String, JsonNode> passed = new HashMap<>();
                properties.path("parameters").fields().forEachRemaining(parameter -> passed.put(parameter.getKey(),
                        passedValue(parameter.getValue().path("value"), values)));
                resolveIn((ObjectNode) properties.path("template"), passed);
            }
        }
    }

    /** What a nested deployment's parameter is: a literal, or the outer template's parameter it names. */
    private static JsonNode passedValue(JsonNode value, Map<String, JsonNode> outer) {
        Matcher parameter = value.isTextual() ? PARAMETER.matcher(value.asText()) : null;
        if (parameter != null && parameter.matches()) {
            return outer.getOrDefault(parameter.group(1), MissingNode.getInstance());
        }
        return value.isTextual() && value.asText().startsWith("[") ? MissingNode.getInstance() : value;
    }

    private static ArrayNode columns(JsonNode columns, JsonNode variables, Map<String, JsonNode> values,
            JsonNode resource) {
        if (columns.isArray()) {
            return (ArrayNode) columns;
        }
        Matcher concat = CONCAT.matcher(columns.asText());
        if (!concat.matches()) {
            throw unknown(resource, columns.asText());
        }
        ArrayNode all = JsonNodeFactory.instance.arrayNode();
        for (String argument : concat.group(1).split(",")) {
            Matcher variable = VARIABLE.matcher(argument);
            if (!variable.matches() || !variables.has(variable.group(1))) {
                throw unknown(resource, columns.asText());
            }
            all.addAll(variable(variables.get(variable.group(1)), values, resource));
        }
        return all;
    }

    private static ArrayNode variable(JsonNode value, Map<String, JsonNode> values, JsonNode resource) {
        if (value.isArray()) {
            return (ArrayNode) value;
        }
        Matcher optional = OPTIONAL.matcher(value.asText());
        if (!optional.matches()) {
            throw unknown(resource, value.asText());
        }
        JsonNode condition = values.getOrDefault(optional.group(1), MissingNode.getInstance());
        if (!condition.isBoolean()) {
            throw new IllegalArgumentException("template parameter " + optional.group(1)
                    + " must be true or false (template resource " + resource.path("name").asText() + ")");
        }
        ArrayNode result = JsonNodeFactory.instance.arrayNode();
        if (condition.booleanValue()) {
            List<String> keysAndValues = new ArrayList<>();
            Matcher quoted = QUOTED.matcher(optional.group(2));
            while (quoted.find()) {
                keysAndValues.add(quoted.group(1).replace("''", "'"));
            }
            ObjectNode column = result.addObject();
            for (int i = 0; i + 1 < keysAndValues.size(); i += 2) {
                column.put(keysAndValues.get(i), keysAndValues.get(i + 1));
            }
        }
        return result;
    }

    private static IllegalStateException unknown(JsonNode resource, String expression) {
        return new IllegalStateException("template resource " + resource.path("name").asText() + ": a column list "
                + "of a form this command does not evaluate: " + expression);
    }
}
