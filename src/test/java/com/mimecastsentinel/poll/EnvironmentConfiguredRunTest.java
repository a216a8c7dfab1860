package com.mimecastsentinel.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mimecastsentinel.Application;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.TestTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector as a user starts it: its own JVM, configured only through the README's environment variables,
 * RUN_ONCE, against independent fakes of Mimecast and Azure. Two runs deliver every event exactly once.
 */
@ExtendWith(Azurite.class)
class EnvironmentConfiguredRunTest {

    @TempDir
    Path workingDirectory;

    @Test
    void twoRunsConfiguredByEnvironmentDeliverEveryEventOnce() throws Exception {
        try (AuditFakes fakes = new AuditFakes()) {
            fakes.azureFake.acceptUploads();
            Path project = Path.of("").toAbsolutePath();
            Files.copy(project.resolve("application.properties"), workingDirectory.resolve("application.properties"));
            copyRoutes(project.resolve("routes"), workingDirectory.resolve("routes"));

            assertEquals(0, run(fakes.environment(), "first"));
            assertEquals(0, run(fakes.environment(), "second"));
            fakes.assertEveryEventDeliveredOnce();
            String log = Files.readString(workingDirectory.resolve("first.log"))
                    + Files.readString(workingDirectory.resolve("second.log"));
            for (String secret : List.of("it-secret", "it-azure-secret", Azurite.ACCOUNT_KEY, "mc-token", "az-token")) {
                assertFalse(log.contains(secret), "a secret appeared in the log output");
            }
        }
    }

    private int run(Map<String, String> environment, String name) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djavax.net.ssl.trustStore=" + TestTls.KEYSTORE, "-Djavax.net.ssl.trustStorePassword=" + TestTls.PASSWORD,
                "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-cp", System.getProperty("java.class.path"), Application.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
                .redirectErrorStream(true).redirectOutput(workingDirectory.resolve(name + ".log").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("MIMECAST_") || k.startsWith("AZURE_")
                || k.startsWith("SENTINEL_") || k.startsWith("CHECKPOINT_"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the connector did not finish within 180 s");
        }
        return process.exitValue();
    }

    private static void copyRoutes(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }
}
