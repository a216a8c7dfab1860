package com.mimecastsentinel.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Makes a self-signed certificate for localhost with the JDK's keytool before any test runs, and makes the JVM
 * trust it. The HTTPS fakes (WireMock) serve it, so the real JDK and Azure SDK HTTP clients verify TLS as they
 * do in production: nothing in the code under test turns verification off.
 */
public final class TestTls implements LauncherSessionListener {
    public static final String PASSWORD = "test-only";
    /** One per test JVM (surefire runs three side by side): each makes its own when it starts. */
    public static final Path KEYSTORE = Path.of("target", "test-tls", System.getProperty("test.fork", "1"),
            "localhost.p12").toAbsolutePath();

    /** A server-side TLS context serving the test certificate (for the HTTPS simulator). */
    public static javax.net.ssl.SSLContext serverContext() {
        ensureKeystore();
        try (var in = Files.newInputStream(KEYSTORE)) {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory
                    .getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PASSWORD.toCharArray());
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the test certificate", e);
        }
    }

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        ensureKeystore();
    }

    public static synchronized void ensureKeystore() {
        try {
            if (!Files.exists(KEYSTORE)) {
                Files.createDirectories(KEYSTORE.getParent());
                Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
                Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "localhost",
                        "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650", "-dname", "CN=localhost",
                        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                        "-keystore", KEYSTORE.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                        .redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes());
                if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    throw new IllegalStateException("keytool failed: " + output);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the test certificate", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        System.setProperty("javax.net.ssl.trustStore", KEYSTORE.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", PASSWORD);
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
    }
}
