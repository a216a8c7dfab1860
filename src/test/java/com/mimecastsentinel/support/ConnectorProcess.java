package com.mimecastsentinel.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mimecastsentinel.Application;

/**
 * The connector in its own JVM, as a user starts it: a working directory with the project's routes/ and
 * application.properties, configured only through environment variables. It trusts the test certificate.
 */
public final class ConnectorProcess {
    private final Path workingDirectory;

    public ConnectorProcess(Path workingDirectory) throws IOException {
        this.workingDirectory = workingDirectory;
        Path project = Path.of("").toAbsolutePath();
        Files.copy(project.resolve("application.properties"), workingDirectory.resolve("application.properties"));
        Path routes = Files.createDirectories(workingDirectory.resolve("routes"));
        try (var files = Files.list(project.resolve("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
    }

    /**
     * Starts the connector; its output goes to {@code <name>.log} in the working directory. With the client compiler
     * only: the tests start a connector some fifty times, most of them for seconds, three test JVMs side by side on 2
     * cores, and a start then costs half the CPU (3 s instead of 6). The benchmark and the memory bounds of the hostile
     * listing name their own options and run the JVM as users do.
     */
    public Process start(Map<String, String> environment, String name) throws IOException {
        return start(environment, name, List.of("-Xmx512m", "-XX:TieredStopAtLevel=1"));
    }

    /** Starts the connector with these JVM options (heap size and the like). */
    public Process start(Map<String, String> environment, String name, List<String> jvmOptions) throws IOException {
        return start(environment, name, jvmOptions, System.getProperty("java.class.path"));
    }

    /** Starts the connector on this class path (the tests' own by default, the demo included). */
    public Process start(Map<String, String> environment, String name, List<String> jvmOptions, String classPath)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-Djavax.net.ssl.trustStore=" + TestTls.KEYSTORE,
                "-Djavax.net.ssl.trustStorePassword=" + TestTls.PASSWORD, "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-cp", classPath, Application.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
                .redirectErrorStream(true).redirectOutput(log(name).toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("MIMECAST_") || k.startsWith("AZURE_")
                || k.startsWith("SENTINEL_") || k.startsWith("CHECKPOINT_") || k.equals("RUN_ONCE")
                || k.equals("START_DATE") || k.equals("SINK") || k.startsWith("SCHEDULE") || k.startsWith("MANAGEMENT_"));
        builder.environment().putAll(environment);
        // several connectors run side by side in tests: a management port only where a test asks for one
        builder.environment().putIfAbsent("MANAGEMENT_ENABLED", environment.containsKey("MANAGEMENT_PORT") ? "true"
                : "false");
        return builder.start();
    }

    /** Runs the connector to its end and returns its exit status. */
    public int run(Map<String, String> environment, String name) throws IOException, InterruptedException {
        Process process = start(environment, name);
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the connector did not finish within 300 s");
        }
        return process.exitValue();
    }

    public Path log(String name) {
        return workingDirectory.resolve(name + ".log");
    }
}
