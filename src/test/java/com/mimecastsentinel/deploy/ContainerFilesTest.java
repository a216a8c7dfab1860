package com.mimecastsentinel.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.demo.MimecastSimulator;
import com.mimecastsentinel.support.Settings4Tests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container files, checked without a Docker engine: the Dockerfile parsed (stages, user, port, health check,
 * entrypoint), the compose files read as {@code docker compose config} reads them (ComposeFile: YAML merge keys,
 * interpolation, env files, the Compose Specification's JSON schema; no docker-compose needed), and the production
 * env file example against the settings the connector reads.
 */
class ContainerFilesTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\{\\{env:([A-Z0-9_]+):");

    // ---------------------------------------------------------------------------------------------------------
    // Dockerfile
    // ---------------------------------------------------------------------------------------------------------

    /** One Dockerfile instruction, continuation lines joined, comments dropped. */
    record Instruction(String keyword, String arguments, int line) {
    }

    static List<Instruction> parseDockerfile(Path file) throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = null;
        int start = 0;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (current == null && trimmed.isEmpty())) {
                continue; // comments (also inside a continued instruction) and blank lines
            }
            if (current == null) {
                current = new StringBuilder();
                start = i + 1;
            }
            boolean continues = trimmed.endsWith("\\");
            current.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!continues) {
                String text = current.toString().strip();
                int space = text.indexOf(' ');
                instructions.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1)
                        .strip().replaceAll("\\s+", " "), start));
                current = null;
            }
        }
        assertTrue(current == null, "the Dockerfile ends inside a continued instruction");
        return instructions;
    }

    private static List<Instruction> dockerfile() throws IOException {
        return parseDockerfile(ROOT.resolve("Dockerfile"));
    }

    /** The instructions after the last FROM: the image that runs. */
    private static List<Instruction> runtimeStage(List<Instruction> all) {
        int last = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).keyword().equals("FROM")) {
                last = i;
            }
        }
        return all.subList(last, all.size());
    }

    private static List<Instruction> all(List<Instruction> instructions, String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    private static Instruction last(List<Instruction> instructions, String keyword) {
        List<Instruction> found = all(instructions, keyword);
        assertFalse(found.isEmpty(), "no " + keyword + " in the runtime stage");
        return found.get(found.size() - 1);
    }

    private static String readProject(String file) throws IOException {
        return Files.readString(ROOT.resolve(file), StandardCharsets.UTF_8);
    }

    /** The management server's default port: application.properties, camel.management.port. */
    private static int managementPort() throws IOException {
        Matcher port = Pattern.compile("(?m)^camel\\.management\\.port\\s*=\\s*\\{\\{env:MANAGEMENT_PORT:(\\d+)}}")
                .matcher(readProject("application.properties"));
        assertTrue(port.find(), "camel.management.port in application.properties");
        return Integer.parseInt(port.group(1));
    }

    /** The health endpoints application.properties documents (HealthAndMetricsTest calls them on a live server). */
    private static Set<String> healthPaths() throws IOException {
        Matcher comment = Pattern.compile("(?m)^# --- Health and metrics: (.*) ---$")
                .matcher(readProject("application.properties"));
        assertTrue(comment.find(), "the health and metrics comment in application.properties");
        Set<String> paths = new LinkedHashSet<>();
        Matcher path = Pattern.compile("/observe/health/[a-z]+").matcher(comment.group(1));
        while (path.find()) {
            paths.add(path.group());
        }
        assertFalse(paths.isEmpty());
        return paths;
    }

    @Test
    void dockerfileBuildsWithMavenThenRunsOnAJre17() throws IOException {
        List<Instruction> instructions = dockerfile();
        List<Instruction> froms = all(instructions, "FROM");
        assertTrue(froms.size() >= 2, "multi-stage: " + froms);
        assertTrue(froms.get(0).arguments().matches("(?i)maven:\\S+ AS build"), froms.get(0).toString());
        assertTrue(froms.get(froms.size() - 1).arguments().matches("eclipse-temurin:17-jre\\S*"),
                "the runtime is a JRE 17: " + froms.get(froms.size() - 1));

        List<Instruction> build = instructions.subList(instructions.indexOf(froms.get(0)),
                instructions.indexOf(froms.get(1)));
        List<String> steps = build.stream().map(i -> i.keyword() + " " + i.arguments()).toList();
        int pom = indexOf(steps, "COPY pom.xml");
        int offline = indexOf(steps, "dependency:go-offline");
        int sources = indexOf(steps, "COPY src");
        int packaging = indexOf(steps, "-DskipTests package");
        assertTrue(pom >= 0 && pom < offline && offline < sources && sources < packaging,
                "dependencies cached in their own layer before the sources are copied: " + steps);
        assertTrue(steps.get(packaging).matches("RUN mvn -B -ntp .*-DskipTests package.*"), steps.get(packaging));

        List<Instruction> runtime = runtimeStage(instructions);
        assertTrue(all(runtime, "COPY").stream().anyMatch(c -> c.arguments().matches(
                "--from=build \\S*target/mimecast-sentinel\\.jar \\S+")), "the jar comes from the build stage");
    }

    private static int indexOf(List<String> steps, String part) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void runtimeRunsTheJarAsANonRootUserWithMountableRoutesAndSettings() throws IOException {
        List<Instruction> runtime = runtimeStage(dockerfile());

        String user = last(runtime, "USER").arguments().split(":")[0];
        assertNotEquals("root", user);
        if (user.matches("\\d+")) {
            assertNotEquals(0, Integer.parseInt(user), "uid 0 is root");
            assertTrue(all(runtime, "RUN").stream().anyMatch(r -> r.arguments().contains("useradd")
                    && r.arguments().contains("--uid " + user)), "the image creates user " + user);
        }

        String workdir = last(runtime, "WORKDIR").arguments();
        List<String> copies = all(runtime, "COPY").stream().map(Instruction::arguments).toList();
        assertTrue(copies.stream().anyMatch(c -> c.matches("(--from=build )?\\S*routes/? (\\./|" + workdir
                + "/)routes/?")), "routes/ copied into the working directory " + workdir + ": " + copies);
        assertTrue(copies.stream().anyMatch(c -> c.matches("(--from=build )?\\S*application\\.properties (\\./|"
                + workdir + "/)(application\\.properties)?")), "application.properties in " + workdir + ": " + copies);

        JsonNode entrypoint = new ObjectMapper().readTree(last(runtime, "ENTRYPOINT").arguments());
        assertTrue(entrypoint.isArray(), "exec form: java is PID 1 and gets SIGTERM");
        List<String> command = new ArrayList<>();
        entrypoint.forEach(part -> command.add(part.asText()));
        assertEquals("java", command.get(0));
        String jar = command.get(command.indexOf("-jar") + 1);
        assertTrue(copies.stream().anyMatch(c -> c.startsWith("--from=build ") && c.endsWith(" " + jar)),
                "the entrypoint runs the jar the build stage produced: " + command);
        assertFalse(jar.startsWith(workdir + "/"),
                "the jar is outside " + workdir + ", so mounts there cannot hide it");

        String javaOptions = all(runtime, "ENV").stream().map(Instruction::arguments)
                .filter(e -> e.startsWith("JAVA_TOOL_OPTIONS")).findFirst().orElseThrow();
        assertTrue(javaOptions.contains("-XX:MaxRAMPercentage="), javaOptions);
        assertTrue(javaOptions.contains("-XX:+ExitOnOutOfMemoryError"), javaOptions);
    }

    @Test
    void exposedPortAndHealthCheckAreTheManagementServers() throws Exception {
        List<Instruction> runtime = runtimeStage(dockerfile());
        int port = managementPort();
        assertTrue(all(runtime, "EXPOSE").stream().flatMap(e -> Stream.of(e.arguments().split(" ")))
                .anyMatch(p -> p.equals(String.valueOf(port)) || p.equals(port + "/tcp")), "EXPOSE " + port);
        assertTrue(all(runtime, "ENV").stream().anyMatch(e -> e.arguments().matches("MANAGEMENT_HOST=0\\.0\\.0\\.0")),
                "inside the container the management server listens for the platform's probes");

        // the health check: exec form, no curl in the image; run here as the image runs it, against a local server
        String check = last(runtime, "HEALTHCHECK").arguments();
        JsonNode command = new ObjectMapper().readTree(check.substring(check.indexOf("CMD") + 3).trim());
        List<String> probe = new ArrayList<>();
        command.forEach(part -> probe.add(part.asText()));
        assertEquals("bash", probe.get(0), "exec form: " + check);
        for (Instruction run : all(runtime, "RUN")) {
            assertFalse(run.arguments().matches(".*apt-get install .*\\b(curl|wget)\\b.*"), "no curl: " + run);
        }
        assertTrue(all(runtime, "RUN").stream().anyMatch(r -> r.arguments().contains("purge")
                && r.arguments().contains("curl")), "curl removed where the base image has it");

        // 200 and 401 on the liveness path are alive, anything else or nothing is not
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        int[] status = { 200 };
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.createContext("/", exchange -> {
            asked.add(exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(status[0], -1);
            exchange.close();
        });
        server.start();
        try {
            String serverPort = String.valueOf(server.getAddress().getPort());
            assertEquals(0, runProbe(probe, Map.of("MANAGEMENT_PORT", serverPort)), "200");
            assertTrue(healthPaths().contains(asked.get(0)), asked.get(0) + " is one of " + healthPaths());
            status[0] = 401;
            assertEquals(0, runProbe(probe, Map.of("MANAGEMENT_PORT", serverPort)), "401: the server answered");
            status[0] = 503;
            assertNotEquals(0, runProbe(probe, Map.of("MANAGEMENT_PORT", serverPort)), "503");
        } finally {
            server.stop(0);
        }
        try (java.net.ServerSocket unused = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String closed = String.valueOf(unused.getLocalPort());
            unused.close();
            assertNotEquals(0, runProbe(probe, Map.of("MANAGEMENT_PORT", closed)), "nobody listening");
        }
        assertTrue(check.contains("${MANAGEMENT_PORT:-" + port + "}"), "the default port: " + check);
    }

    /** The health check's command as the container runs it (bash from this machine), with these variables. */
    private static int runProbe(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return process.exitValue();
    }

    @Test
    void baseImagesArePinnedByDigestWithTheirTag() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("Dockerfile"));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("FROM ")) {
                Matcher from = Pattern.compile("FROM (\\S+?)@sha256:[0-9a-f]{64}( AS \\S+)?").matcher(lines.get(i));
                assertTrue(from.matches(), "pinned by digest: " + lines.get(i));
                assertTrue(i > 0 && lines.get(i - 1).startsWith("# " + from.group(1)),
                        "the tag the digest was taken from in the comment above: " + lines.get(i));
            }
        }
    }

    @Test
    void dockerignoreKeepsStateAndSecretsOutOfTheBuildContext() throws IOException {
        Set<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).map(l -> l.replaceAll("/$", ""))
                .collect(Collectors.toSet());
        for (String entry : List.of(".git", "target", "data", ".ci/azurite/node_modules", "mimecast-sentinel.env",
                "secrets")) {
            assertTrue(ignored.contains(entry), ".dockerignore lists " + entry + ": " + ignored);
        }
        for (String needed : List.of("pom.xml", "src", "routes", "application.properties")) {
            assertFalse(ignored.contains(needed), "the build needs " + needed);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Compose files, read as docker compose config reads them (ComposeFile)
    // ---------------------------------------------------------------------------------------------------------

    /** The project's compose file {@code file}, with only {@code environment} for its variables. */
    private static JsonNode config(Map<String, String> environment, String file) throws Exception {
        return ComposeFile.config(ROOT.resolve(file), environment);
    }

    /** Environment of a service: ComposeFile gives it as a map, env files merged in, a value without one null. */
    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> environment = new LinkedHashMap<>();
        service.path("environment").properties().forEach(e -> environment.put(e.getKey(),
                e.getValue().isNull() ? null : e.getValue().asText()));
        return environment;
    }

    private static boolean publishes(JsonNode service, int port) {
        for (JsonNode mapping : service.path("ports")) {
            if (mapping.isTextual() ? mapping.asText().matches("(.*:)?" + port + ":" + port + "(/tcp)?")
                    : mapping.path("target").asInt() == port && mapping.path("published").asText()
                            .equals(String.valueOf(port))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> volumeTargets(JsonNode service) {
        List<String> targets = new ArrayList<>();
        for (JsonNode volume : service.path("volumes")) {
            targets.add(volume.isTextual() ? volume.asText().split(":")[1] : volume.path("target").asText());
        }
        return targets;
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(v -> values.add(v.asText()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            values.addAll(List.of(node.asText().split(" ")));
        }
        return values;
    }

    private static List<String> names(JsonNode services) {
        List<String> names = new ArrayList<>();
        services.properties().forEach(e -> names.add(e.getKey()));
        names.sort(null);
        return names;
    }

    @Test
    void demoComposeRunsTheConnectorAgainstTheSimulatorAndAzurite() throws Exception {
        JsonNode services = config(Map.of(), "docker-compose.yml").path("services");
        assertEquals(List.of("azurite", "connector", "simulator"), names(services));

        JsonNode simulator = services.path("simulator");
        JsonNode connector = services.path("connector");
        JsonNode azurite = services.path("azurite");
        assertEquals(connector.path("image").asText(), simulator.path("image").asText(), "one image for both");
        assertTrue(connector.has("build") && simulator.has("build"), "built from the Dockerfile");

        List<String> entrypoint = strings(simulator.path("entrypoint"));
        String main = entrypoint.get(entrypoint.size() - 1);
        assertEquals("com.mimecastsentinel.demo.SimulatorMain", main);
        assertNotNull(Class.forName(main).getMethod("main", String[].class));
        Map<String, String> simulatorEnv = environment(simulator);
        assertEquals("0.0.0.0", simulatorEnv.get("SIMULATOR_HOST"));
        assertTrue(simulator.path("healthcheck").has("test"), "the connector waits for it");

        assertTrue(azurite.path("image").asText().startsWith("mcr.microsoft.com/azure-storage/azurite:"));
        assertTrue(strings(azurite.path("command")).contains("10000"), "Azurite's blob port");
        assertTrue(azurite.path("healthcheck").has("test"), "the connector waits for it");

        Map<String, String> env = environment(connector);
        String simulatorUrl = "http://simulator:" + simulatorEnv.get("SIMULATOR_PORT");
        assertEquals(simulatorUrl, env.get("MIMECAST_BASE_URL"));
        assertEquals(simulatorUrl, simulatorEnv.get("SIMULATOR_PUBLIC_URL"), "SIEM file links reach the simulator");
        assertEquals(MimecastSimulator.DEMO_CLIENT_ID, env.get("MIMECAST_CLIENT_ID"));
        assertEquals(MimecastSimulator.DEMO_CLIENT_SECRET, env.get("MIMECAST_CLIENT_SECRET"));
        assertTrue(env.get("AZURE_STORAGE_CONNECTION_STRING").contains("BlobEndpoint=http://azurite:10000/"),
                "checkpoints in the azurite service");
        for (String dependency : List.of("simulator", "azurite")) {
            assertEquals("service_healthy", connector.path("depends_on").path(dependency).path("condition").asText(),
                    "the connector starts when " + dependency + " is healthy");
        }
        assertTrue(publishes(connector, managementPort()), "health and metrics published: " + connector.path("ports"));
        assertTrue(volumeTargets(connector).contains("/app/data"), "output kept in a volume");

        // the connector accepts these settings: plain http only to the simulator it names, files, Blob checkpoints
        Settings settings = settings(env, Map.of());
        assertFalse(settings.demo, "a separate simulator, not the embedded one");
        assertEquals(simulatorUrl, settings.mimecastBaseUrl.toString());
        assertEquals(Settings.SinkKind.FILE, settings.sink);
        assertEquals(Settings.CheckpointStoreKind.BLOB, settings.checkpointStore);
    }

    @Test
    void productionComposeReadsTheEnvFileAndSecretFiles() throws Exception {
        JsonNode services = config(Map.of("MIMECAST_SENTINEL_ENV_FILE", "deploy/mimecast-sentinel.env.example"),
                "docker-compose.prod.yml").path("services");
        assertEquals(List.of("connector"), names(services));
        JsonNode connector = services.path("connector");
        Map<String, String> env = environment(connector);
        assertEquals(activeLines(), env, "the environment is the env file's");
        assertTrue(volumeTargets(connector).contains("/run/secrets"), "secret files mounted");
        assertTrue(connector.path("volumes").toString().contains("/run/secrets:ro")
                || connector.path("volumes").toString().contains("\"read_only\":true"), "read-only");
        assertEquals("unless-stopped", connector.path("restart").asText());
        assertTrue(publishes(connector, managementPort()));
        assertTrue(connector.path("read_only").asBoolean(), "a read-only root file system");
        Set<String> writable = new LinkedHashSet<>(volumeTargets(connector));
        connector.path("tmpfs").forEach(t -> writable.add(t.asText().replaceAll(":.*", "")));
        assertTrue(writable.contains("/tmp"), "a tmpfs for what the JVM writes: " + writable);
        assertTrue(writable.contains("/app/data"), "the data volume: " + writable);

        ComposeFile.Invalid missing = assertThrows(ComposeFile.Invalid.class, () -> config(
                Map.of("MIMECAST_SENTINEL_ENV_FILE", "deploy/no-such.env"), "docker-compose.prod.yml"),
                "without its env file the production variant does not start");
        assertTrue(missing.getMessage().contains("deploy/no-such.env not found"), missing.getMessage());
    }

    /** A compose document of a test, as compose.yaml in {@code directory}, read as config reads it. */
    private static JsonNode compose(Path directory, Map<String, String> environment, String yaml) throws Exception {
        Path file = directory.resolve("compose.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return ComposeFile.config(file, environment);
    }

    private static String refusal(Path directory, Map<String, String> environment, String yaml) {
        return assertThrows(ComposeFile.Invalid.class, () -> compose(directory, environment, yaml)).getMessage();
    }

    @Test
    void composeCheckRefusesWhatComposeRefuses(@TempDir Path directory) {
        String typo = refusal(directory, Map.of(), "services:\n  web:\n    image: nginx\n    restrat: always\n");
        assertTrue(typo.contains("/services/web: property 'restrat' is not defined"), typo);
        String type = refusal(directory, Map.of(), "services:\n  web:\n    image: nginx\n    read_only: 3\n");
        assertTrue(type.contains("/services/web/read_only"), type);
        String required = refusal(directory, Map.of(), "services:\n  web:\n    image: ${MISSING:?must be set}\n");
        assertTrue(required.contains("/services/web/image: required variable MISSING is missing a value: must be set"),
                required);
        String empty = refusal(directory, Map.of("EMPTY", ""), "services:\n  web:\n    image: ${EMPTY:?}\n");
        assertTrue(empty.contains("required variable EMPTY"), empty);
        String unclosed = refusal(directory, Map.of(), "services:\n  web:\n    image: ${TAG\n");
        assertTrue(unclosed.contains("no closing brace"), unclosed);
        String envFile = refusal(directory, Map.of(),
                "services:\n  web:\n    image: nginx\n    env_file: absent.env\n");
        assertTrue(envFile.contains("/services/web/env_file: env file " + directory.resolve("absent.env")
                + " not found"), envFile);
    }

    @Test
    void interpolationFollowsTheComposeSpecification() throws Exception {
        Map<String, String> environment = Map.of("SET", "value", "EMPTY", "");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("${SET} $SET a-$SET-b", "value value a-value-b");
        expected.put("[${UNSET}] [$UNSET]", "[] []");
        expected.put("${UNSET:-default} ${EMPTY:-default} ${UNSET-default} [${EMPTY-default}]",
                "default default default []");
        expected.put("${SET:+alt} [${EMPTY:+alt}] ${EMPTY+alt} [${UNSET+alt}]", "alt [] alt []");
        expected.put("${SET:?err} [${EMPTY?err}]", "value []");
        expected.put("${UNSET:-${SET}} ${UNSET:-${ALSO_UNSET:-nested}}", "value nested");
        expected.put("${SET:-${UNSET:?only when used}}", "value");
        expected.put("$$SET $${SET} $1 $ {braces}", "$SET ${SET} $1 $ {braces}");
        for (Map.Entry<String, String> example : expected.entrySet()) {
            assertEquals(example.getValue(), ComposeFile.interpolate(example.getKey(), environment::get, "test"),
                    example.getKey());
        }
    }

    @Test
    void envFilesMergeUnderTheServicesOwnEnvironment(@TempDir Path directory) throws Exception {
        Files.writeString(directory.resolve("base.env"), String.join("\n", "# a comment", "", "SHARED=from-base",
                "EXPLICIT=from-file", "UNQUOTED=value # a comment", "SINGLE='$SET is not read'",
                "DOUBLE=\"tab\\there, ${SET}\"", "export EXPORTED=yes", "COLON: separated", "FROM_ENVIRONMENT",
                "EARLIER=${SHARED}-again"), StandardCharsets.UTF_8);
        Files.writeString(directory.resolve("override.env"), "SHARED=from-override\n", StandardCharsets.UTF_8);
        Map<String, String> environment = Map.of("SET", "set", "FROM_ENVIRONMENT", "env", "PASSED", "through");
        JsonNode services = compose(directory, environment, """
                services:
                  web:
                    image: nginx
                    env_file:
                      - base.env
                      - path: override.env
                      - path: optional.env
                        required: false
                    environment:
                      - EXPLICIT=wins
                      - PASSED
                      - UNSET
                  api:
                    image: nginx
                    env_file: override.env
                    environment:
                      SHARED:
                      NUMBER: 8080
                """).path("services");
        Map<String, String> web = new HashMap<>();
        web.put("SHARED", "from-override"); // a later file wins
        web.put("EXPLICIT", "wins"); // environment wins over env files
        web.put("UNQUOTED", "value");
        web.put("SINGLE", "$SET is not read");
        web.put("DOUBLE", "tab\there, set");
        web.put("EXPORTED", "yes");
        web.put("COLON", "separated");
        web.put("FROM_ENVIRONMENT", "env");
        web.put("EARLIER", "from-base-again");
        web.put("PASSED", "through");
        web.put("UNSET", null);
        assertEquals(web, environment(services.path("web")));
        assertFalse(services.path("web").has("env_file"), "merged, as docker compose config prints it");
        Map<String, String> api = new HashMap<>();
        api.put("SHARED", null); // even a value left unset wins over the env file's
        api.put("NUMBER", "8080");
        assertEquals(api, environment(services.path("api")));
        assertTrue(services.path("api").path("environment").path("NUMBER").isTextual());
    }

    @Test
    void yamlAnchorsAliasesAndMergeKeysResolveAsInCompose(@TempDir Path directory) throws Exception {
        JsonNode services = compose(directory, Map.of(), """
                x-base: &base
                  image: base
                  restart: always
                x-other: &other
                  restart: "no"
                  labels: {from: other}
                x-command: &command [run, "--fast"]
                services:
                  own:
                    <<: *base
                    image: own
                  list:
                    <<: [*other, *base]
                  plain:
                    image: plain
                    command: *command
                    ports: [22:22]
                    labels:
                      on: yes
                """).path("services");
        assertEquals("own", services.path("own").path("image").asText(), "the mapping's own key wins");
        assertEquals("always", services.path("own").path("restart").asText());
        assertEquals("no", services.path("list").path("restart").asText(), "the first merged mapping wins");
        assertEquals("base", services.path("list").path("image").asText());
        assertEquals("other", services.path("list").path("labels").path("from").asText());
        assertEquals(List.of("run", "--fast"), strings(services.path("plain").path("command")), "an alias");
        assertEquals("22:22", services.path("plain").path("ports").path(0).textValue(), "YAML 1.2: not base 60");
        assertEquals("yes", services.path("plain").path("labels").path("on").textValue(), "YAML 1.2: no yes/on");
    }

    // ---------------------------------------------------------------------------------------------------------
    // deploy/mimecast-sentinel.env.example
    // ---------------------------------------------------------------------------------------------------------

    private static List<String> exampleLines() throws IOException {
        return Files.readAllLines(ROOT.resolve("deploy/mimecast-sentinel.env.example"), StandardCharsets.UTF_8);
    }

    /** NAME=value lines that are not comments. */
    private static Map<String, String> activeLines() throws IOException {
        Map<String, String> active = new LinkedHashMap<>();
        for (String line : exampleLines()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] pair = line.split("=", 2);
                assertEquals(2, pair.length, "NAME=value: " + line);
                active.put(pair[0], pair[1]);
            }
        }
        return active;
    }

    /** Variables read by {{env:NAME:...}} references in these files. */
    private static Set<String> variablesIn(List<Path> files) throws IOException {
        Set<String> variables = new LinkedHashSet<>();
        for (Path file : files) {
            Matcher match = ENV_REFERENCE.matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (match.find()) {
                variables.add(match.group(1));
            }
        }
        return variables;
    }

    /** Variables application.properties reads (each one the key of a setting). */
    private static Set<String> settingVariables() throws IOException {
        return variablesIn(List.of(ROOT.resolve("application.properties")));
    }

    /** Variables the connector reads: application.properties, the routes, log4j2.properties. */
    private static Set<String> variablesRead() throws IOException {
        Set<String> variables = new LinkedHashSet<>(settingVariables());
        try (Stream<Path> routes = Files.list(ROOT.resolve("routes"))) {
            variables.addAll(variablesIn(routes.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()));
        }
        Matcher logging = Pattern.compile("\\$\\{env:([A-Z0-9_]+)")
                .matcher(readProject("src/main/resources/log4j2.properties"));
        while (logging.find()) {
            variables.add(logging.group(1));
        }
        assertTrue(variables.contains("LOG_LEVEL"), variables.toString());
        return variables;
    }

    /** Variables Settings reads as secrets, which may also come from {@code <NAME>_FILE}. */
    private static Set<String> secretVariables() throws IOException {
        Set<String> secrets = new LinkedHashSet<>();
        Matcher match = Pattern.compile("secret\\(\"[a-z.-]+\", \"([A-Z_]+)\"\\)")
                .matcher(readProject("src/main/java/com/mimecastsentinel/config/Settings.java"));
        while (match.find()) {
            secrets.add(match.group(1));
        }
        assertTrue(secrets.contains("MIMECAST_CLIENT_SECRET"), secrets.toString());
        return secrets;
    }

    @Test
    void envExampleDocumentsEveryVariableAndKeepsSecretsInFiles() throws IOException {
        String example = String.join("\n", exampleLines());
        Set<String> documented = new LinkedHashSet<>();
        Matcher line = Pattern.compile("(?m)^#? ?([A-Z][A-Z0-9_]*)=").matcher(example);
        while (line.find()) {
            documented.add(line.group(1));
        }
        Set<String> expected = new LinkedHashSet<>(variablesRead());
        secretVariables().forEach(s -> expected.add(s + "_FILE"));
        expected.add("SCHEDULE_AUDIT"); // the per log type form, shown once
        expected.add("JAVA_TOOL_OPTIONS"); // the image's JVM flags
        Set<String> missing = new LinkedHashSet<>(expected);
        missing.removeAll(documented);
        assertEquals(Set.of(), missing, "variables the env file example does not document");

        Map<String, String> active = activeLines();
        for (String secret : secretVariables()) {
            assertFalse(active.containsKey(secret), secret + " belongs in a file: " + secret + "_FILE");
        }
        active.forEach((name, value) -> {
            if (name.endsWith("_FILE")) {
                assertTrue(value.startsWith("/run/secrets/"), name + " names a mounted secret file");
            }
        });
    }

    @Test
    void envExampleIsAValidProductionConfiguration(@TempDir Path secrets) throws IOException {
        Map<String, String> files = new HashMap<>();
        for (Map.Entry<String, String> entry : activeLines().entrySet()) {
            if (entry.getKey().endsWith("_FILE")) {
                Path file = secrets.resolve(Path.of(entry.getValue()).getFileName());
                Files.writeString(file, "placeholder-" + entry.getKey());
                files.put(entry.getKey(), file.toString());
            }
        }
        Settings settings = settings(activeLines(), files);
        assertFalse(settings.demo);
        assertEquals(Settings.SinkKind.SENTINEL, settings.sink);
        assertEquals(Settings.CheckpointStoreKind.BLOB, settings.checkpointStore);
        assertEquals("placeholder-MIMECAST_CLIENT_SECRET_FILE", settings.mimecastClientSecret);
        assertEquals(Settings.DEFAULT_MIMECAST_URL, settings.mimecastBaseUrl.toString());
        assertEquals(List.of(), settings.mimecastHttpHosts, "no plain http in production");
    }

    /**
     * The settings the connector builds from these environment variables: those application.properties reads go
     * through its keys, {@code <NAME>_FILE} ones come from {@code files}.
     */
    private static Settings settings(Map<String, String> environment, Map<String, String> files) throws IOException {
        Set<String> read = settingVariables();
        Map<String, String> mapped = new HashMap<>();
        environment.forEach((name, value) -> {
            if (read.contains(name)) {
                mapped.put(name, value);
            }
        });
        Properties properties = Settings4Tests.properties(mapped);
        return new Settings(key -> Optional.ofNullable(properties.getProperty(key)), files::get);
    }
}
