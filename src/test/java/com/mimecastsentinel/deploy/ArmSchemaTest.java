package com.mimecastsentinel.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/azure/azuredeploy.json against Microsoft's published ARM resource schemas (vendored unchanged under
 * src/test/resources/schemas/arm, see SOURCE.md): every resource, at any depth of inline nested deployments, is
 * checked against the definition its type and apiVersion have there, so a misspelt property value, a wrong column
 * type or an apiVersion nobody vendored fails here rather than at deployment time. The schemas are read offline:
 * their {@code https://schema.management.azure.com/schemas/} references resolve to the vendored copies.
 */
class ArmSchemaTest {
    private static final Path TEMPLATE = Path.of("deploy", "azure", "azuredeploy.json");
    private static final String ARM = "https://schema.management.azure.com/schemas/";
    private static final String VENDORED = "/schemas/arm/";
    private static final String TEMPLATE_SCHEMA = ARM + "2019-04-01/deploymentTemplate.json#";
    private static final String DEPLOYMENTS = "Microsoft.Resources/deployments";
    private static final String EXPRESSION = ARM + "common/definitions.json#/definitions/expression";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Enums the ARM schemas close but the service keeps open: the one place they are widened. Each is applied to
     * the schema in memory, as {@code anyOf [the published enum, the allowance]}, wherever its file, JSON pointer and
     * enum values match; the vendored files stay as Microsoft publishes them.
     */
    private static final List<OpenEnum> OPEN_ENUMS = List.of(
            // Logs Ingestion API rules are kind "Direct" (Azure Monitor, "Structure of a data collection rule" and
            // the Logs Ingestion API tutorials); the 2023-03-11 schema still lists only the agent kinds
            // Linux/Windows. Only the rule's own kind: data collection endpoints keep their closed enum.
            new OpenEnum("Microsoft.Insights", Pattern.compile(".*/dataCollectionRules/properties/kind(/.*)?"),
                    values -> true, "{\"enum\": [\"Direct\"]}"),
            // Custom-<name> streams are those a rule declares in its streamDeclarations (Azure Monitor, "Structure
            // of a data collection rule": custom stream names begin with Custom-); the schema enumerates only the
            // built-in Microsoft-* streams, so wherever it lists those it also takes a Custom- one.
            new OpenEnum("Microsoft.Insights", Pattern.compile(".*"),
                    values -> values.stream().anyMatch(v -> v.startsWith("Microsoft-")),
                    "{\"type\": \"string\", \"pattern\": \"^Custom-.+$\"}"));

    /**
     * Deployment scope (from a template's own $schema) -> the section of a provider schema its resources come
     * from, as Microsoft's deployment template schemas pick them; extension resources are valid at every scope.
     */
    private static final Map<String, String> SECTIONS = Map.of(
            "deploymentTemplate.json", "resourceDefinitions",
            "subscriptionDeploymentTemplate.json", "subscription_resourceDefinitions",
            "managementGroupDeploymentTemplate.json", "managementGroup_resourceDefinitions",
            "tenantDeploymentTemplate.json", "tenant_resourceDefinitions");
    private static final String EXTENSION_SECTION = "extension_resourceDefinitions";

    /** Resolves only the vendored, patched schemas: nothing is fetched (remote fetching is off by default). */
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4,
            builder -> builder.resourceLoaders(loaders -> loaders.add(iri -> {
                String address = iri.toString();
                if (!address.startsWith(ARM)) {
                    return null;
                }
                String file = address.substring(ARM.length()).replaceFirst("#.*", "");
                JsonNode schema = vendored(file);
                if (schema == null) {
                    return null;
                }
                byte[] patched = patch(file, schema).toString().getBytes(StandardCharsets.UTF_8);
                return () -> new ByteArrayInputStream(patched);
            })));
    private static final Map<String, Schema> SCHEMAS = new HashMap<>();

    private static JsonNode raw;
    /**
     * The template with its column lists as deployed with accountColumn true (every column, the optional one too):
     * the column lists are expressions in the file, which a schema takes as they are.
     */
    private static JsonNode template;

    @BeforeAll
    static void readTemplate() throws IOException {
        raw = JSON.readTree(TEMPLATE.toFile());
        template = com.mimecastsentinel.tables.TemplateColumns.resolve(raw, java.util.Map.of("accountColumn",
                com.fasterxml.jackson.databind.node.BooleanNode.TRUE));
    }

    @Test
    void templateDocumentIsADeploymentTemplate() {
        assertEquals(List.of(), documentProblems(raw));
    }

    @Test
    void everyResourceMatchesItsVendoredSchema() {
        for (JsonNode version : List.of(raw, template)) {
            List<Located> resources = resources(version);
            assertFalse(resources.isEmpty(), "no resources found in " + TEMPLATE);
            List<String> problems = new ArrayList<>();
            resources.forEach(located -> problems.addAll(problems(located)));
            assertEquals(List.of(), problems, String.join("\n", problems));
        }
    }

    // --- the checker can fail ---------------------------------------------------------------------------------

    @Test
    void reportsARuleOfAnUnknownKind() {
        ObjectNode dcr = copyOf("Microsoft.Insights/dataCollectionRules");
        dcr.put("kind", "Windowz");
        assertReported(problems(dcr), "/kind", "Windowz");
    }

    @Test
    void reportsAStreamThatIsNeitherBuiltInNorCustom() {
        ObjectNode dcr = copyOf("Microsoft.Insights/dataCollectionRules");
        ArrayNode streams = (ArrayNode) dcr.path("properties").path("dataFlows").path(0).path("streams");
        streams.add("Bogus-X");
        assertReported(problems(dcr), "/properties/dataFlows/0/streams/" + (streams.size() - 1), "Bogus-X");
    }

    @Test
    void reportsATableColumnOfAnUnknownType() {
        ObjectNode table = copyOf("Microsoft.OperationalInsights/workspaces/tables");
        ObjectNode column = (ObjectNode) table.path("properties").path("schema").path("columns").path(0);
        column.put("type", "varchar");
        assertReported(problems(table), "/properties/schema/columns/0/type", "varchar");
    }

    @Test
    void theOpenEnumsAreNoWiderThanListed() {
        // "Direct" is open for data collection rules only, not for the endpoints that share their kind enum
        ObjectNode endpoint = JSON.createObjectNode().put("type", "Microsoft.Insights/dataCollectionEndpoints")
                .put("apiVersion", "2023-03-11").put("name", "dce").put("kind", "Direct");
        endpoint.putObject("properties");
        assertReported(problems(endpoint), "/kind", "Direct");
        // and a stream must begin with "Custom-", not merely contain it
        ObjectNode dcr = copyOf("Microsoft.Insights/dataCollectionRules");
        ((ArrayNode) dcr.path("properties").path("dataFlows").path(0).path("streams")).removeAll().add("My-Custom-X");
        assertReported(problems(dcr), "/properties/dataFlows/0/streams/0", "My-Custom-X");
    }

    @Test
    void reportsAResourceWithoutAVendoredSchemaAtAnyDepth() {
        ObjectNode site = JSON.createObjectNode().put("type", "Microsoft.Web/sites").put("apiVersion", "2023-12-01")
                .put("name", "app");
        ObjectNode synthetic = deploymentTemplate(deployment(deployment(site)));
        List<String> problems = new ArrayList<>();
        resources(synthetic).forEach(located -> problems.addAll(problems(located)));
        assertReported(problems, "2023-12-01/Microsoft.Web.json", "/resources/0/properties/template/resources/0"
                + "/properties/template/resources/0");
        // a known provider at an apiVersion nobody vendored
        ObjectNode dcr = copyOf("Microsoft.Insights/dataCollectionRules").put("apiVersion", "2021-09-01-preview");
        assertReported(problems(dcr), "2021-09-01-preview/Microsoft.Insights.json");
    }

    @Test
    void reportsADocumentThatIsNotADeploymentTemplate() {
        ObjectNode nested = deployment();
        ((ObjectNode) nested.path("properties").path("template")).putObject("parameters").putObject("p")
                .put("type", "string");
        ObjectNode document = deploymentTemplate(nested);
        document.put("$schema", ARM + "2015-01-01/deploymentTemplate.json#");
        document.remove("contentVersion");
        List<String> problems = documentProblems(document);
        assertReported(problems, "$schema");
        assertReported(problems, "contentVersion");
        assertReported(problems, "expressionEvaluationOptions");
    }

    // --- the checker ------------------------------------------------------------------------------------------

    /** A resource as written, where it is in the template, and what decides its schema. */
    private record Located(JsonNode resource, String path, String section, String parentType) {
        String type() {
            String type = resource.path("type").asText();
            return parentType == null || type.contains("/") ? type : parentType + "/" + type;
        }

        String label() {
            return path + " " + type() + " '" + resource.path("name").asText() + "'";
        }
    }

    /** An enum the service keeps open: in files of {@code namespace}, at pointers matching, for enums matching. */
    private record OpenEnum(String namespace, Pattern pointer, Predicate<List<String>> values, String allowance) {
    }

    private static List<String> documentProblems(JsonNode document) {
        List<String> problems = new ArrayList<>();
        if (!TEMPLATE_SCHEMA.equals(document.path("$schema").asText())) {
            problems.add("$schema is " + document.path("$schema") + ", not \"" + TEMPLATE_SCHEMA + "\"");
        }
        if (document.path("contentVersion").asText().isBlank()) {
            problems.add("contentVersion is missing");
        }
        for (Located located : resources(document)) {
            JsonNode properties = located.resource().path("properties");
            JsonNode parameters = properties.path("template").path("parameters");
            // with the default (outer) scope a nested template's parameters() would read the parent's, so its own
            // parameters would be ignored; ARM compares the scope without case
            if (DEPLOYMENTS.equals(located.type()) && parameters.isObject() && !parameters.isEmpty()
                    && !"inner".equalsIgnoreCase(properties.path("expressionEvaluationOptions").path("scope")
                            .asText())) {
                problems.add(located.label() + ": declares parameters but not expressionEvaluationOptions.scope "
                        + "inner");
            }
        }
        return problems;
    }

    /** Every resource of the template: top level, children, and inside inline nested deployments at any depth. */
    private static List<Located> resources(JsonNode template) {
        List<Located> found = new ArrayList<>();
        collect(template, "", "resourceDefinitions", found);
        return found;
    }

    private static void collect(JsonNode template, String path, String outerSection, List<Located> found) {
        String schema = template.path("$schema").asText();
        String section = SECTIONS.entrySet().stream().filter(e -> schema.contains("/" + e.getKey()))
                .map(Map.Entry::getValue).findFirst().orElse(outerSection);
        each(template.path("resources"), path + "/resources", (resource, at) -> {
            Located located = new Located(resource, at, section, null);
            found.add(located);
            collectChildren(located, found);
            JsonNode inner = resource.path("properties").path("template");
            if (DEPLOYMENTS.equals(located.type()) && inner.isObject()) {
                collect(inner, at + "/properties/template", section, found);
            }
        });
    }

    private static void collectChildren(Located parent, List<Located> found) {
        each(parent.resource().path("resources"), parent.path() + "/resources", (child, at) -> {
            Located located = new Located(child, at, parent.section(), parent.type());
            found.add(located);
            collectChildren(located, found);
        });
    }

    /** Resources are an array, or (languageVersion 2.0) an object keyed by symbolic name. */
    private static void each(JsonNode resources, String path, BiConsumer<JsonNode, String> action) {
        if (resources.isArray()) {
            for (int i = 0; i < resources.size(); i++) {
                action.accept(resources.get(i), path + "/" + i);
            }
        } else if (resources.isObject()) {
            resources.properties().forEach(field -> action.accept(field.getValue(), path + "/" + field.getKey()));
        }
    }

    private static List<String> problems(JsonNode resource) {
        return problems(new Located(resource, "", "resourceDefinitions", null));
    }

    private static List<String> problems(Located located) {
        String type = located.type();
        String apiVersion = located.resource().path("apiVersion").asText();
        if (apiVersion.isEmpty() || !type.contains("/")) {
            return List.of(located.label() + ": no type/apiVersion to find a schema by");
        }
        String file = apiVersion + "/" + type.substring(0, type.indexOf('/')) + ".json";
        JsonNode schema = vendored(file);
        if (schema == null) {
            return List.of(located.label() + ": no vendored schema for apiVersion " + apiVersion
                    + "; vendor schemas/" + file + " into src/test/resources" + VENDORED + file + " (see SOURCE.md)");
        }
        String definition = definition(schema, located);
        if (definition == null) {
            return List.of(located.label() + ": " + file + " defines no " + (located.parentType() == null
                    ? located.section() + " or " + EXTENSION_SECTION + " entry" : "child resource")
                    + " of type " + located.resource().path("type").asText()
                    + "; vendor the file of an apiVersion that does");
        }
        if (located.resource().path("existing").asBoolean()) {
            return List.of(); // a reference to a resource deployed elsewhere: it declares nothing to check
        }
        // children are checked on their own, against their child definitions, so each problem is reported once
        JsonNode resource = located.resource();
        if (resource.path("resources").isArray()) {
            ObjectNode withoutChildren = resource.deepCopy();
            withoutChildren.remove("resources");
            resource = withoutChildren;
        }
        List<String> problems = new ArrayList<>();
        for (Error error : condensed(schema(file + "#" + definition).validate(resource))) {
            problems.add(located.label() + ": " + error.getInstanceLocation() + ": " + describe(error));
        }
        return problems;
    }

    /**
     * The definition (a JSON pointer into the file) whose type enum holds the resource's type: a top-level
     * resource's full type in the section of its deployment scope (or the extension one); a child's short type
     * among the file's *_childResource definitions, which also take its short name.
     */
    private static String definition(JsonNode schema, Located located) {
        String type = located.resource().path("type").asText();
        List<String> sections = located.parentType() == null ? List.of(located.section(), EXTENSION_SECTION)
                : List.of("definitions");
        for (String section : sections) {
            for (Map.Entry<String, JsonNode> entry : schema.path(section).properties()) {
                boolean child = entry.getKey().endsWith("_childResource");
                if (child == (located.parentType() != null)
                        && textValues(entry.getValue().path("properties").path("type").path("enum")).contains(type)) {
                    return "/" + section + "/" + entry.getKey();
                }
            }
        }
        return null;
    }

    /** The definition together with the base every template resource has (name, type, condition, dependsOn). */
    private static Schema schema(String reference) {
        return SCHEMAS.computeIfAbsent(reference, r -> {
            ObjectNode both = JSON.createObjectNode();
            both.putArray("allOf")
                    .add(JSON.createObjectNode().put("$ref", ARM + "common/definitions.json#/definitions/ARMResourceBase"))
                    .add(JSON.createObjectNode().put("$ref", ARM + r));
            return REGISTRY.getSchema(both);
        });
    }

    /**
     * The errors that say what is wrong: without those of an "or an expression" branch (they only say that the
     * value is not "[...]"), and without a failed oneOf/anyOf where errors of its own branches explain it.
     */
    private static List<Error> condensed(List<Error> errors) {
        List<Error> kept = errors.stream()
                .filter(e -> !String.valueOf(e.getSchemaLocation()).startsWith(EXPRESSION)).toList();
        return kept.stream().filter(e -> !Set.of("oneOf", "anyOf").contains(e.getKeyword())
                || kept.stream().noneMatch(f -> f != e
                        && f.getEvaluationPath().toString().startsWith(e.getEvaluationPath() + "/"))).toList();
    }

    /** Its own words: this version's formatted messages shift their arguments. */
    private static String describe(Error error) {
        String property = error.getProperty() == null ? "" : " (" + error.getProperty() + ")";
        return error.getKeyword() + " " + abbreviated(error.getSchemaNode()) + property + ", found "
                + abbreviated(error.getInstanceNode());
    }

    private static String abbreviated(JsonNode node) {
        String text = String.valueOf(node);
        return text.length() <= 160 ? text : text.substring(0, 157) + "...";
    }

    /**
     * The schemas as the service reads them, from the vendored file: the open enums widened, and a oneOf that
     * offers "or an expression" read as anyOf. ARM evaluates an expression before the resource provider sees the
     * value, so the expression is an alternative, not an exclusive branch: the published oneOf [{}, expression]
     * (a deployment parameter's value) could otherwise never take an expression, as both branches match.
     */
    private static JsonNode patch(String file, JsonNode schema) {
        String namespace = file.substring(file.lastIndexOf('/') + 1).replaceFirst("\\.json$", "");
        JsonNode copy = schema.deepCopy();
        patch(namespace, copy, "");
        return copy;
    }

    private static void patch(String namespace, JsonNode node, String pointer) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                patch(namespace, node.get(i), pointer + "/" + i);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        ObjectNode object = (ObjectNode) node;
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        names.forEach(name -> patch(namespace, object.get(name), pointer + "/" + name));
        JsonNode oneOf = object.get("oneOf");
        if (oneOf != null && textValues(oneOf, "$ref").stream().anyMatch(ArmSchemaTest::isExpression)) {
            object.set("anyOf", object.remove("oneOf"));
        }
        if (object.has("enum")) {
            List<String> values = textValues(object.get("enum"));
            for (OpenEnum open : OPEN_ENUMS) {
                if (open.namespace().equals(namespace) && open.pointer().matcher(pointer).matches()
                        && open.values().test(values)) {
                    ObjectNode published = object.deepCopy();
                    object.removeAll();
                    object.putArray("anyOf").add(published).add(parse(open.allowance()));
                    return;
                }
            }
        }
    }

    private static boolean isExpression(String ref) {
        return ref.equals(EXPRESSION) || ref.equals("#/definitions/expression");
    }

    /** A vendored schema by its path under schemas/arm, or null when it is not vendored. */
    private static JsonNode vendored(String file) {
        try (InputStream in = ArmSchemaTest.class.getResourceAsStream(VENDORED + file)) {
            return in == null ? null : JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> textValues(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    /** The field of that name of each element of an array (the alternatives' own $ref, not nested ones). */
    private static List<String> textValues(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.path(field).asText()));
        return values;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- test data --------------------------------------------------------------------------------------------

    /** A deep copy of the template's first resource of this type, wherever it is. */
    private static ObjectNode copyOf(String type) {
        return resources(template).stream().filter(located -> type.equals(located.type())).findFirst()
                .map(located -> (ObjectNode) located.resource().deepCopy())
                .orElseThrow(() -> new AssertionError(TEMPLATE + " has no " + type + " to start from"));
    }

    private static ObjectNode deploymentTemplate(JsonNode... resources) {
        ObjectNode document = JSON.createObjectNode().put("$schema", TEMPLATE_SCHEMA).put("contentVersion", "1.0.0.0");
        ArrayNode array = document.putArray("resources");
        for (JsonNode resource : resources) {
            array.add(resource);
        }
        return document;
    }

    private static ObjectNode deployment(JsonNode... resources) {
        ObjectNode deployment = JSON.createObjectNode().put("type", DEPLOYMENTS).put("apiVersion", "2022-09-01")
                .put("name", "nested");
        ObjectNode properties = deployment.putObject("properties").put("mode", "Incremental");
        properties.set("template", deploymentTemplate(resources));
        return deployment;
    }

    private static void assertReported(List<String> problems, String... fragments) {
        assertTrue(problems.stream().anyMatch(problem -> List.of(fragments).stream().allMatch(problem::contains)),
                "expected a problem mentioning " + List.of(fragments) + ", got:\n" + String.join("\n", problems));
    }
}
