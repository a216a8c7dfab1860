package com.mimecastsentinel.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.i18n.DefaultMessageSource;
import com.networknt.schema.i18n.MessageSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * What {@code docker compose config} makes of one compose file, without Docker, following the Compose Specification:
 * YAML with anchors, aliases and {@code <<} merge keys; interpolation of every string value from the environment
 * given (never the process environment, nor a {@code .env} file); the result checked against the specification's
 * JSON schema ({@code src/test/resources/schemas/compose}, see SOURCE.md); then each service's {@code env_file}
 * entries read into its {@code environment}, which wins, as a map.
 *
 * <p>Not done, so refused or left as written: {@code extends} and {@code include} (refused), several files merged,
 * profiles, the short syntaxes of ports, volumes, build and depends_on rewritten in the long one, and the type
 * casting Compose does on interpolated values ({@code read_only: ${RO}} stays a string).
 */
final class ComposeFile {

    /** A compose file Compose would refuse; the message says where (a JSON pointer, or file:line) and why. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Pattern VARIABLE = Pattern.compile("[_a-zA-Z][_a-zA-Z0-9]*");
    private static final Pattern ENV_FILE_NAME = Pattern.compile("[_a-zA-Z][_a-zA-Z0-9.\\-]*");
    private static final Pattern INLINE_COMMENT = Pattern.compile("\\s#");
    private static final Resolver YAML_1_2 = new CoreSchema();
    private static final Schema SCHEMA = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7,
            registry -> registry.schemaRegistryConfig(SchemaRegistryConfig.builder()
                    .messageSource(networkntMessages()).build()))
            .getSchema(SchemaLocation.of("classpath:schemas/compose/compose-spec.json"));

    private ComposeFile() {
    }

    /** The file as {@code docker compose -f file config} prints it, with only {@code environment} as variables. */
    static JsonNode config(Path file, Map<String, String> environment) throws IOException, Invalid {
        try {
            JsonNode document = interpolated(parse(Files.readString(file, UTF_8)), environment::get, "");
            // Compose validates here, after interpolation and before env files: what they add is a map of strings
            validate(document);
            refuseUnsupported(document);
            Path directory = file.toAbsolutePath().getParent();
            for (Map.Entry<String, JsonNode> service : document.path("services").properties()) {
                resolveEnvironment((ObjectNode) service.getValue(), directory, environment,
                        "/services/" + service.getKey());
            }
            return document;
        } catch (Invalid e) {
            throw new Invalid(file.getFileName() + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // YAML: SnakeYAML's node graph (Jackson's YAML tree gives an alias as its anchor's name and ignores <<)
    // ---------------------------------------------------------------------------------------------------------

    private static JsonNode parse(String yaml) throws Invalid {
        LoaderOptions options = new LoaderOptions();
        Node root;
        try {
            root = new Composer(new ParserImpl(new StreamReader(yaml), options), YAML_1_2, options).getSingleNode();
        } catch (YAMLException e) {
            throw new Invalid("not YAML: " + e.getMessage());
        }
        if (root == null) {
            throw new Invalid("empty");
        }
        return toJson(root, "", Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    /**
     * YAML 1.2's core schema, as Compose's Go parser reads plain scalars: {@code yes}, {@code on}, {@code 22:22} and
     * dates stay strings (SnakeYAML's default is YAML 1.1's); {@code <<} is a merge key.
     */
    private static final class CoreSchema extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF");
            addImplicitResolver(Tag.INT, Pattern.compile("^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
                    "-+0123456789");
            addImplicitResolver(Tag.FLOAT, Pattern.compile("^(?:[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)"
                    + "(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$"), "-+0123456789.");
            addImplicitResolver(Tag.NULL, Pattern.compile("^(?:~|null|Null|NULL|)$"), "~nN\0");
            addImplicitResolver(Tag.MERGE, Pattern.compile("^<<$"), "<");
        }
    }

    /** {@code open}: the nodes being converted, so that an alias inside its own anchor is an error, not a loop. */
    private static JsonNode toJson(Node node, String at, Set<Node> open) throws Invalid {
        if (!open.add(node)) {
            throw new Invalid(at + ": an alias inside the node it refers to");
        }
        try {
            if (node instanceof ScalarNode scalar) {
                return scalar(scalar, at);
            }
            Tag expected = node.getNodeId() == NodeId.sequence ? Tag.SEQ : Tag.MAP;
            if (!node.getTag().equals(expected)) {
                throw new Invalid(at + ": YAML tag " + node.getTag() + " is not supported");
            }
            if (node instanceof SequenceNode sequence) {
                ArrayNode array = JSON.arrayNode();
                for (Node item : sequence.getValue()) {
                    array.add(toJson(item, at + "/" + array.size(), open));
                }
                return array;
            }
            return mapping((MappingNode) node, at, open);
        } finally {
            open.remove(node);
        }
    }

    private static JsonNode scalar(ScalarNode node, String at) throws Invalid {
        String value = node.getValue();
        Tag tag = node.getTag();
        if (tag.equals(Tag.STR) || tag.equals(Tag.MERGE)) {
            return TextNode.valueOf(value); // << merges only as a key
        }
        if (!YAML_1_2.resolve(NodeId.scalar, value, true).equals(tag)) {
            throw new Invalid(at + ": " + value + " is not a " + tag + " (YAML tags other than the core schema's "
                    + "are not supported)");
        }
        if (tag.equals(Tag.NULL)) {
            return NullNode.getInstance();
        }
        if (tag.equals(Tag.BOOL)) {
            return BooleanNode.valueOf(value.equalsIgnoreCase("true"));
        }
        if (tag.equals(Tag.INT)) {
            try {
                return LongNode.valueOf(value.startsWith("0o") ? Long.parseLong(value.substring(2), 8)
                        : value.startsWith("0x") ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value));
            } catch (NumberFormatException e) {
                throw new Invalid(at + ": integer out of range: " + value);
            }
        }
        String lower = value.toLowerCase(Locale.ROOT);
        return DoubleNode.valueOf(lower.endsWith(".nan") ? Double.NaN
                : lower.endsWith(".inf") ? (lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                : Double.parseDouble(value));
    }

    private static ObjectNode mapping(MappingNode node, String at, Set<Node> open) throws Invalid {
        ObjectNode object = JSON.objectNode();
        List<ObjectNode> merged = new ArrayList<>();
        for (NodeTuple entry : node.getValue()) {
            if (!(entry.getKeyNode() instanceof ScalarNode key)) {
                throw new Invalid(at + ": a mapping key that is not a scalar");
            }
            if (key.getTag().equals(Tag.MERGE)) {
                merged.addAll(mergedMappings(entry.getValueNode(), at + "/<<", open));
            } else if (object.replace(key.getValue(), toJson(entry.getValueNode(), at + "/" + key.getValue(),
                    open)) != null) {
                throw new Invalid(at + ": key " + key.getValue() + " twice");
            }
        }
        // the merge key type: the mapping's own keys win, then the merged mappings in their order
        for (ObjectNode source : merged) {
            source.properties().forEach(e -> {
                if (!object.has(e.getKey())) {
                    object.set(e.getKey(), e.getValue());
                }
            });
        }
        return object;
    }

    private static List<ObjectNode> mergedMappings(Node value, String at, Set<Node> open) throws Invalid {
        List<Node> sources = value instanceof SequenceNode sequence ? sequence.getValue() : List.of(value);
        List<ObjectNode> mappings = new ArrayList<>();
        for (Node source : sources) {
            if (!(source instanceof MappingNode)) {
                throw new Invalid(at + ": << takes a mapping or a list of mappings");
            }
            mappings.add((ObjectNode) toJson(source, at, open));
        }
        return mappings;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Interpolation (spec: Interpolation), of values only, never keys
    // ---------------------------------------------------------------------------------------------------------

    private static JsonNode interpolated(JsonNode node, Function<String, String> lookup, String at) throws Invalid {
        if (node.isTextual()) {
            return TextNode.valueOf(interpolate(node.asText(), lookup, at));
        }
        if (node instanceof ObjectNode object) {
            List<String> keys = new ArrayList<>();
            object.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                object.replace(key, interpolated(object.get(key), lookup, at + "/" + key));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, interpolated(array.get(i), lookup, at + "/" + i));
            }
        }
        return node;
    }

    /**
     * One value with {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}} … and {@code $$} replaced; {@code lookup}
     * answers null for an unset variable, which becomes empty. A {@code $} that starts neither is kept, as Compose
     * keeps it.
     */
    static String interpolate(String text, Function<String, String> lookup, String at) throws Invalid {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int dollar = text.indexOf('$', i);
            if (dollar < 0 || dollar == text.length() - 1) {
                out.append(text, i, text.length());
                break;
            }
            out.append(text, i, dollar);
            char next = text.charAt(dollar + 1);
            Matcher name = VARIABLE.matcher(text).region(dollar + 1, text.length());
            if (next == '$') {
                out.append('$');
                i = dollar + 2;
            } else if (next == '{') {
                int close = closingBrace(text, dollar + 2);
                if (close < 0) {
                    throw new Invalid(at + ": invalid interpolation, no closing brace: " + text);
                }
                out.append(braced(text.substring(dollar + 2, close), lookup, at));
                i = close + 1;
            } else if (name.lookingAt()) {
                String value = lookup.apply(name.group());
                out.append(value == null ? "" : value);
                i = name.end();
            } else {
                out.append('$');
                i = dollar + 1;
            }
        }
        return out.toString();
    }

    /** The brace closing the {@code ${} before {@code from}: nested {@code ${…}} count, other braces do not. */
    private static int closingBrace(String text, int from) {
        int depth = 1;
        for (int i = from; i < text.length(); i++) {
            if (text.startsWith("${", i)) {
                depth++;
                i++;
            } else if (text.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** What is between {@code ${} and {@code }}. The operand is interpolated only when it is used, as in a shell. */
    private static String braced(String expression, Function<String, String> lookup, String at) throws Invalid {
        Matcher name = VARIABLE.matcher(expression);
        if (!name.lookingAt()) {
            throw new Invalid(at + ": invalid interpolation ${" + expression + "}");
        }
        String variable = name.group();
        String value = lookup.apply(variable);
        String rest = expression.substring(name.end());
        if (rest.isEmpty()) {
            return value == null ? "" : value;
        }
        boolean colon = rest.startsWith(":"); // with a colon, empty counts as unset
        int operator = colon ? 1 : 0;
        String operand = rest.substring(Math.min(rest.length(), operator + 1));
        boolean set = value != null && !(colon && value.isEmpty());
        switch (rest.length() > operator ? rest.charAt(operator) : ' ') {
            case '-':
                return set ? value : interpolate(operand, lookup, at);
            case '+':
                return set ? interpolate(operand, lookup, at) : "";
            case '?':
                if (set) {
                    return value;
                }
                String message = interpolate(operand, lookup, at);
                throw new Invalid(at + ": required variable " + variable + " is missing a value"
                        + (message.isEmpty() ? "" : ": " + message));
            default:
                throw new Invalid(at + ": invalid interpolation ${" + expression
                        + "} (Compose supports :- - :? ? :+ +)");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Schema, and what this checker does not do
    // ---------------------------------------------------------------------------------------------------------

    private static void validate(JsonNode document) throws Invalid {
        String errors = SCHEMA.validate(document).stream()
                .map(e -> (e.getInstanceLocation().toString().isEmpty() ? "/" : e.getInstanceLocation()) + ": "
                        + e.getMessage())
                .collect(Collectors.joining("\n  "));
        if (!errors.isEmpty()) {
            throw new Invalid("not valid against the Compose Specification schema:\n  " + errors);
        }
    }

    /**
     * networknt's own message texts. wiremock-standalone, ahead of it on the test classpath, carries an older
     * jsv-messages.properties with other placeholders, which a ResourceBundle lookup by name would find first.
     */
    private static MessageSource networkntMessages() {
        Properties messages = new Properties();
        URL jar = SchemaRegistry.class.getProtectionDomain().getCodeSource().getLocation();
        try (Reader reader = new InputStreamReader(new URL("jar:" + jar + "!/" + DefaultMessageSource.BUNDLE_BASE_NAME
                + ".properties").openStream(), UTF_8)) {
            messages.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("networknt's messages in " + jar, e);
        }
        return (key, fallback, locale, arguments) -> {
            String pattern = messages.getProperty(key);
            return pattern == null ? fallback.get()
                    : new MessageFormat(pattern, locale == null ? Locale.ROOT : locale).format(arguments);
        };
    }

    private static void refuseUnsupported(JsonNode document) throws Invalid {
        if (document.has("include")) {
            throw new Invalid("/include: not supported by this checker");
        }
        for (Map.Entry<String, JsonNode> service : document.path("services").properties()) {
            if (service.getValue().has("extends")) {
                throw new Invalid("/services/" + service.getKey() + "/extends: not supported by this checker");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // env_file and environment (spec: services, env_file and environment)
    // ---------------------------------------------------------------------------------------------------------

    /**
     * The service's env files, in order (a later one wins), then its own {@code environment}, which wins even when a
     * value is empty or unset; written back as one map, without {@code env_file}, as {@code docker compose config}
     * prints it. A name without a value takes the environment's value, or stays null.
     */
    private static void resolveEnvironment(ObjectNode service, Path directory, Map<String, String> environment,
            String at) throws IOException, Invalid {
        Map<String, String> fromFiles = new LinkedHashMap<>();
        JsonNode files = service.remove("env_file");
        if (files != null) {
            List<JsonNode> entries = new ArrayList<>();
            (files.isArray() ? files : List.of(files)).forEach(entries::add);
            for (int i = 0; i < entries.size(); i++) {
                readEnvFileEntry(entries.get(i), directory, environment, fromFiles,
                        at + "/env_file" + (files.isArray() ? "/" + i : ""));
            }
        }
        ObjectNode merged = JSON.objectNode();
        fromFiles.forEach(merged::put);
        JsonNode own = service.get("environment");
        if (own != null && own.isArray()) {
            for (JsonNode item : own) {
                String[] pair = item.asText().split("=", 2);
                merged.set(pair[0], pair.length == 2 ? TextNode.valueOf(pair[1])
                        : fromEnvironment(pair[0], environment));
            }
        } else if (own != null) {
            own.properties().forEach(e -> merged.set(e.getKey(), e.getValue().isNull()
                    ? fromEnvironment(e.getKey(), environment) : TextNode.valueOf(e.getValue().asText())));
        }
        if (files != null || own != null) {
            service.set("environment", merged);
        }
    }

    private static JsonNode fromEnvironment(String name, Map<String, String> environment) {
        String value = environment.get(name);
        return value == null ? NullNode.getInstance() : TextNode.valueOf(value);
    }

    /** One entry: a path, or {@code {path, required, format}}; a relative path is the compose file's directory's. */
    private static void readEnvFileEntry(JsonNode entry, Path directory, Map<String, String> environment,
            Map<String, String> into, String at) throws IOException, Invalid {
        Path file = directory.resolve(entry.isObject() ? entry.path("path").asText() : entry.asText());
        JsonNode required = entry.path("required");
        if (required.isTextual() && !required.asText().matches("(?i)true|false")) {
            throw new Invalid(at + "/required: not a boolean: " + required.asText());
        }
        String format = entry.path("format").asText("");
        if (!format.isEmpty() && !format.equals("raw")) {
            throw new Invalid(at + "/format: " + format + " is not supported (raw, or none for Compose's rules)");
        }
        if (!Files.isRegularFile(file)) {
            if (required.isMissingNode() || required.asText().equalsIgnoreCase("true")) {
                throw new Invalid(at + ": env file " + file + " not found");
            }
            return;
        }
        List<String> lines = Files.readAllLines(file, UTF_8);
        for (int n = 0; n < lines.size(); n++) {
            readEnvFileLine(lines.get(n).strip(), format.equals("raw"), environment, into, file + ":" + (n + 1));
        }
    }

    /**
     * One {@code VAR[=[VAL]]} line (spec: Env_file format): {@code =} or {@code :} between name and value, comments,
     * quotes, escapes in double quotes; unquoted and double-quoted values interpolated from the environment, then
     * from the lines already read. {@code raw}: the value as written. A name alone takes the environment's value.
     */
    private static void readEnvFileLine(String line, boolean raw, Map<String, String> environment,
            Map<String, String> into, String at) throws Invalid {
        if (line.isEmpty() || line.startsWith("#")) {
            return;
        }
        String assignment = line.startsWith("export ") ? line.substring("export ".length()).strip() : line;
        Matcher name = ENV_FILE_NAME.matcher(assignment);
        String rest = name.lookingAt() ? assignment.substring(name.end()).stripLeading() : null;
        if (rest == null || !(rest.isEmpty() || rest.startsWith("=") || rest.startsWith(":"))) {
            throw new Invalid(at + ": not VAR[=[VAL]]: " + line);
        }
        if (rest.isEmpty()) {
            if (environment.containsKey(name.group())) {
                into.put(name.group(), environment.get(name.group()));
            }
            return;
        }
        String value = rest.substring(1).strip();
        into.put(name.group(), raw ? value : envFileValue(value,
                variable -> environment.containsKey(variable) ? environment.get(variable) : into.get(variable), at));
    }

    private static String envFileValue(String value, Function<String, String> lookup, String at) throws Invalid {
        if (!value.startsWith("'") && !value.startsWith("\"")) {
            Matcher comment = INLINE_COMMENT.matcher(value);
            return interpolate(comment.find() ? value.substring(0, comment.start()).strip() : value, lookup, at);
        }
        char quote = value.charAt(0);
        StringBuilder content = new StringBuilder();
        int i = 1;
        for (; i < value.length() && value.charAt(i) != quote; i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                content.append(unescape(quote, value.charAt(++i)));
            } else {
                content.append(c);
            }
        }
        if (i >= value.length()) {
            throw new Invalid(at + ": no closing " + quote
                    + " on the line (values over several lines are not supported)");
        }
        String after = value.substring(i + 1).strip();
        if (!after.isEmpty() && !after.startsWith("#")) {
            throw new Invalid(at + ": text after the closing " + quote + ": " + after);
        }
        return quote == '\'' ? content.toString() : interpolate(content.toString(), lookup, at);
    }

    /** A backslash escape: the quote itself in both quotes; \n \r \t \\ in double quotes; else kept as written. */
    private static String unescape(char quote, char escaped) {
        if (escaped == quote) {
            return String.valueOf(quote);
        }
        if (quote == '"') {
            switch (escaped) {
                case 'n':
                    return "\n";
                case 'r':
                    return "\r";
                case 't':
                    return "\t";
                case '\\':
                    return "\\";
                default:
                    break;
            }
        }
        return "\\" + escaped;
    }
}
