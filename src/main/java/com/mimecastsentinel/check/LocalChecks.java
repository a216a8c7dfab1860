package com.mimecastsentinel.check;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.mimecastsentinel.config.Settings;

/**
 * What the check command finds on this machine, before it calls anything: variables that are probably typos,
 * files the environment names, the directories a run writes, the proxy and the trust store.
 */
final class LocalChecks {
    /** Only these prefixes are the connector's own: other variables belong to the platform, the JVM, the SDKs. */
    private static final List<String> OWN_PREFIXES = List.of("MIMECAST_", "SENTINEL_");
    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\{\\{env:([A-Z0-9_]+)");
    private static final int CONNECT_TIMEOUT_MS = 5000;

    private LocalChecks() {
    }

    /**
     * The variables a run reads: every {@code {{env:NAME}}} of application.properties and the route files, and the
     * {@code <NAME>_FILE} form of each (secrets mounted as files).
     */
    static Set<String> knownVariables(List<String> texts) {
        Set<String> known = new TreeSet<>();
        for (String text : texts) {
            Matcher name = ENV_PLACEHOLDER.matcher(text);
            while (name.find()) {
                known.add(name.group(1));
                known.add(name.group(1) + "_FILE");
            }
        }
        return known;
    }

    /** A variable of the connector's prefixes that no setting reads: probably a typo, with the nearest name. */
    static List<CheckResult> unknownVariables(Map<String, String> environment, Set<String> known) {
        List<CheckResult> results = new ArrayList<>();
        environment.keySet().stream().sorted()
                .filter(name -> OWN_PREFIXES.stream().anyMatch(name::startsWith) && !known.contains(name))
                .forEach(name -> {
                    Optional<String> nearest = known.stream().filter(k -> distance(k, name) <= Math.max(2,
                            name.length() / 5)).min(Comparator.comparingInt(k -> distance(k, name)));
                    results.add(CheckResult.warn("variable " + name, name + " is set, but no setting reads it"
                            + nearest.map(n -> ": probably a typo of " + n).orElse(""), nearest
                            .map(n -> "rename it " + n).orElse("remove it, or see docs/configuration.md for the "
                                    + "variables there are")));
                });
        if (results.isEmpty()) {
            results.add(CheckResult.pass("variables", "every MIMECAST_* and SENTINEL_* variable set is one a run "
                    + "reads"));
        }
        return results;
    }

    /** Files named by {@code *_FILE} variables (secrets, users) and the trust store: there and readable. */
    static List<CheckResult> files(Map<String, String> environment) {
        List<CheckResult> results = new ArrayList<>();
        environment.entrySet().stream().filter(e -> e.getKey().endsWith("_FILE") && !e.getValue().isBlank()
                && (OWN_PREFIXES.stream().anyMatch(e.getKey()::startsWith) || e.getKey().startsWith("AZURE_")
                        || e.getKey().startsWith("MANAGEMENT_")))
                .sorted(Map.Entry.comparingByKey()).forEach(e -> {
                    Path file = Path.of(e.getValue().trim());
                    results.add(Files.isRegularFile(file) && Files.isReadable(file)
                            ? CheckResult.pass("file " + e.getKey(), file + " is readable")
                            : CheckResult.fail("file " + e.getKey(), file + " is not a readable file",
                                    "mount the file, or correct " + e.getKey()));
                });
        return results;
    }

    /** The directories a run writes on this machine (file checkpoints, dead letters): there, or made, and writable. */
    static List<CheckResult> directories(Settings settings) {
        List<CheckResult> results = new ArrayList<>();
        if (settings.checkpointStore == Settings.CheckpointStoreKind.FILE) {
            results.add(writable("checkpoint directory", settings.checkpointDir, "CHECKPOINT_DIR"));
            results.add(writable("dead-letter directory", settings.deadLetterDir, "DEAD_LETTER_DIR"));
        }
        return results;
    }

    private static CheckResult writable(String check, Path directory, String variable) {
        try {
            com.mimecastsentinel.sentinel.FileOutput.requireWritable(directory);
            return CheckResult.pass(check, directory.toAbsolutePath().normalize() + " is writable");
        } catch (IOException | RuntimeException e) {
            return CheckResult.fail(check, directory.toAbsolutePath().normalize() + " cannot be written (" + e + ")",
                    "make " + variable + " a directory this user can write");
        }
    }

    /**
     * The proxy in use (camel-http's {@code camel.component.https.proxy-host}, or the JVM's {@code https.proxyHost}):
     * it accepts a connection.
     */
    static List<CheckResult> proxy(Function<String, Optional<String>> properties) {
        List<CheckResult> results = new ArrayList<>();
        String camelHost = first(properties, "camel.component.https.proxy-host", "camel.component.https.proxyHost");
        String camelPort = first(properties, "camel.component.https.proxy-port", "camel.component.https.proxyPort");
        if (camelHost != null) {
            results.add(reachable("proxy (Mimecast calls)", camelHost, camelPort, "camel.component.https.proxy-host"));
        }
        String jvmHost = System.getProperty("https.proxyHost");
        if (jvmHost != null && !jvmHost.isBlank()) {
            results.add(reachable("proxy (JVM, Azure)", jvmHost, System.getProperty("https.proxyPort"),
                    "-Dhttps.proxyHost"));
        }
        if (results.isEmpty()) {
            results.add(CheckResult.skip("proxy", "none set: Mimecast and Azure are called directly"));
        }
        return results;
    }

    private static String first(Function<String, Optional<String>> properties, String... keys) {
        for (String key : keys) {
            Optional<String> value = properties.apply(key).map(String::trim).filter(v -> !v.isEmpty());
            if (value.isPresent()) {
                return value.get();
            }
        }
        return null;
    }

    private static CheckResult reachable(String check, String host, String port, String setting) {
        int number;
        try {
            number = port == null || port.isBlank() ? 443 : Integer.parseInt(port.trim());
        } catch (NumberFormatException e) {
            return CheckResult.fail(check, "port '" + port + "' of " + host + " is not a number", "correct the "
                    + "proxy port next to " + setting);
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, number), CONNECT_TIMEOUT_MS);
            return CheckResult.pass(check, host + ":" + number + " accepts connections");
        } catch (IOException e) {
            return CheckResult.fail(check, host + ":" + number + " does not accept a connection (" + e.getMessage()
                    + ")", "correct " + setting + " and its port, or let this host reach the proxy");
        }
    }

    /** The JVM's trust store, when one is set ({@code javax.net.ssl.trustStore}): it loads and holds certificates. */
    static CheckResult trustStore() {
        return trustStore(System.getProperty("javax.net.ssl.trustStore"),
                System.getProperty("javax.net.ssl.trustStoreType", KeyStore.getDefaultType()),
                System.getProperty("javax.net.ssl.trustStorePassword"));
    }

    static CheckResult trustStore(String location, String type, String password) {
        if (location == null || location.isBlank() || location.equals("NONE")) {
            return CheckResult.skip("trust store", "the JVM's default (its cacerts)");
        }
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.toCharArray());
            int certificates = 0;
            for (String alias : java.util.Collections.list(store.aliases())) {
                // as the JDK's trust managers read a store: trusted certificates, and the certificate of a key entry
                if (store.isCertificateEntry(alias) || store.isKeyEntry(alias) && store.getCertificate(alias) != null) {
                    certificates++;
                }
            }
            return certificates > 0
                    ? CheckResult.pass("trust store", location + " (" + type + ") holds " + certificates
                            + " trusted certificates")
                    : CheckResult.fail("trust store", location + " holds no trusted certificate: no TLS server "
                            + "would be trusted", "add the CA certificates (yours and the public ones), or drop "
                            + "-Djavax.net.ssl.trustStore");
        } catch (IOException | java.security.GeneralSecurityException e) {
            return CheckResult.fail("trust store", location + " (" + type + ") cannot be loaded (" + e.getMessage()
                    + ")", "check -Djavax.net.ssl.trustStore, -Djavax.net.ssl.trustStoreType and its password");
        }
    }

    /** Levenshtein distance: how many edits make one name the other. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
