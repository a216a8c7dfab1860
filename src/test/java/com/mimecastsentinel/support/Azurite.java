package com.mimecastsentinel.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Azurite (the Azure Storage emulator, npm package pinned in .ci/azurite) for tests that use Blob. Started once
 * per test run on a free loopback port and stopped by its process handle when the run ends. Installs the
 * package with npm first if .ci/run has not. AZURITE_BLOB_PORT points the tests at an Azurite already running.
 */
public final class Azurite implements BeforeAllCallback {
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static final Path HOME = Path.of(".ci", "azurite").toAbsolutePath();

    /** One Azurite per test JVM (surefire runs three side by side), each with its own log. */
    private static final Path LOG = Path.of("target", "azurite-" + System.getProperty("test.fork", "1") + ".log");

    private static volatile int port;

    /** The well-known development account's connection string (public, not a secret). */
    public static String connectionString() {
        if (port == 0) {
            throw new IllegalStateException("annotate the test with @ExtendWith(Azurite.class)");
        }
        return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + ACCOUNT_KEY
                + ";BlobEndpoint=http://127.0.0.1:" + port + "/devstoreaccount1;";
    }

    /**
     * A connection string that authenticates with an account SAS (signed with the development key) instead of the
     * key: {@code BlobEndpoint=…;SharedAccessSignature=…}. The SAS is a secret like a key.
     */
    public static String sasConnectionString() {
        return sasConnectionString("rwdlacup");
    }

    /** As {@link #sasConnectionString()}, with only these account SAS permissions (e.g. {@code rl}: read-only). */
    public static String sasConnectionString(String permissions) {
        var service = new com.azure.storage.blob.BlobServiceClientBuilder().connectionString(connectionString())
                .buildClient();
        String sas = service.generateAccountSas(new com.azure.storage.common.sas.AccountSasSignatureValues(
                java.time.OffsetDateTime.now().plusHours(4),
                com.azure.storage.common.sas.AccountSasPermission.parse(permissions),
                new com.azure.storage.common.sas.AccountSasService().setBlobAccess(true),
                new com.azure.storage.common.sas.AccountSasResourceType().setService(true).setContainer(true)
                        .setObject(true)));
        return "BlobEndpoint=http://127.0.0.1:" + port + "/devstoreaccount1;SharedAccessSignature=" + sas;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Azurite.class, key -> start(), Running.class);
    }

    /** Stops Azurite when the whole test run is over. */
    static final class Running implements ExtensionContext.Store.CloseableResource {
        private final Process process;

        Running(Process process) {
            this.process = process;
        }

        @Override
        public void close() {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
            }
        }
    }

    private static Running start() {
        String external = System.getenv("AZURITE_BLOB_PORT");
        if (external != null && !external.isBlank()) {
            port = Integer.parseInt(external.trim());
            return new Running(null);
        }
        try {
            Path executable = HOME.resolve("node_modules/.bin/azurite-blob");
            if (!Files.isExecutable(executable)) {
                // the test JVMs may get here at once: one installs, the others wait for it and find it done
                try (var lock = java.nio.channels.FileChannel.open(HOME.resolve(".install.lock"),
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                        var held = lock.lock()) {
                    if (!Files.isExecutable(executable)) {
                        run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix", HOME.toString()), 600);
                    }
                }
            }
            int freePort;
            try (ServerSocket socket = new ServerSocket(0)) {
                freePort = socket.getLocalPort();
            }
            Path location = Files.createTempDirectory("azurite");
            Path log = LOG.toAbsolutePath();
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(executable.toString(), "--blobHost", "127.0.0.1",
                    "--blobPort", String.valueOf(freePort), "--location", location.toString(), "--silent",
                    "--disableTelemetry", "--skipApiVersionCheck")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            awaitPort(freePort, process);
            port = freePort;
            return new Running(process);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Azurite", e);
        }
    }

    private static void awaitPort(int candidate, Process process) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Azurite exited with " + process.exitValue() + ": see " + LOG);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", candidate), 200);
                return;
            } catch (IOException notYet) {
                sleep(200);
            }
        }
        throw new IllegalStateException("Azurite did not listen on port " + candidate + " within 60 s");
    }

    private static void run(List<String> command, int seconds) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
