package com.mimecastsentinel.logging;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What must never be written anywhere, and the masking that keeps it out: the secret values the connector is
 * configured with (known before anything resolves them, so that a library logging a resolved setting is masked
 * too), the tokens it is handed out at run time, and credential shapes whatever their value (bearer tokens, HMAC
 * signatures, account keys, SAS tokens, signatures in pre-signed URLs, JWTs, {@code client_secret=…}). A masked
 * value becomes {@value #MASK}; the rest of the text stays as it was.
 */
public final class Secrets {
    public static final String MASK = "***";

    /**
     * The settings that hold secrets: environment variable (also read as {@code <NAME>_FILE}) and key in
     * application.properties.
     */
    static final Map<String, String> SETTINGS = Map.of(
            "MIMECAST_CLIENT_SECRET", "mimecast.client-secret",
            "MIMECAST_APP_KEY", "mimecast.app-key",
            "MIMECAST_ACCESS_KEY", "mimecast.access-key",
            "MIMECAST_SECRET_KEY", "mimecast.secret-key",
            "AZURE_CLIENT_SECRET", "azure.client-secret",
            "AZURE_STORAGE_CONNECTION_STRING", "azure.storage.connection-string",
            // read by azure-identity itself, not by the connector
            "AZURE_CLIENT_CERTIFICATE_PASSWORD", "azure.client-certificate-password",
            "AZURE_FEDERATED_TOKEN", "azure.federated-token");

    /**
     * Configured values shorter than this are not masked as text (they would mask ordinary words), only by their
     * shape; issued tokens are longer by far, and one shorter than {@link #MIN_ISSUED_LENGTH} is a test's.
     */
    private static final int MIN_LENGTH = 4;
    private static final int MIN_ISSUED_LENGTH = 8;
    /** Tokens handed out at run time; the oldest are forgotten (they expired long before). */
    private static final int MAX_ISSUED = 64;

    private static final Set<String> CONFIGURED = ConcurrentHashMap.newKeySet();
    private static final Map<String, Boolean> ISSUED = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > MAX_ISSUED;
                }
            });
    /** Every value to mask, longest first (a value inside a longer one must not leave the rest of it). */
    private static volatile List<String> literals = List.of();

    /** Credential shapes: group 1 is kept (what names the value), the rest of the match is masked. */
    private static final List<Pattern> SHAPES = List.of(
            // Authorization schemes: Bearer <token>, Basic <base64>, SharedKey <account:signature>
            Pattern.compile("(?i)(\\b(?:Bearer|Basic|SharedKey|Negotiate)\\s+)[^\\s\"',;}\\]]+"),
            // Mimecast API 1.0: MC <accessKey>:<signature>
            Pattern.compile("(\\bMC\\s+)[^\\s\"',;:}]+:[^\\s\"',;}\\]]+"),
            // storage connection strings
            Pattern.compile("(?i)((?:AccountKey|SharedAccessSignature|SharedAccessKey)=)[^;\\s\"']+"),
            // signatures and session tokens in (pre-signed) URLs: Azure SAS, S3, Google Cloud Storage
            Pattern.compile("(?i)((?:^|[?&;\\s\"'])(?:sig|signature|x-amz-signature|x-amz-security-token"
                    + "|x-goog-signature)=)[^&\\s\"';]+"),
            // secrets in forms and JSON: client_secret=…, "access_token":"…"
            Pattern.compile("(?i)(\"?\\b(?:access_token|refresh_token|id_token|client_secret|client_assertion"
                    + "|password|accountKey)\"?\\s*[:=]\\s*\"?)[^\"&\\s,;}]+"),
            // JSON Web Tokens (Entra and workload identity tokens)
            Pattern.compile("()\\beyJ[A-Za-z0-9_-]{4,}\\.eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]+"));

    private Secrets() {
    }

    /** A secret the connector is configured with (a setting's value): masked wherever it appears. */
    public static void register(String secret) {
        if (secret == null || secret.isBlank()) {
            return;
        }
        String value = secret.trim();
        if (CONFIGURED.add(value)) {
            // the secret parts of a connection string also stand alone (a library may log them split up)
            for (String part : value.split(";")) {
                int eq = part.indexOf('=');
                String name = eq > 0 ? part.substring(0, eq).trim() : "";
                if (name.equalsIgnoreCase("AccountKey") || name.equalsIgnoreCase("SharedAccessSignature")
                        || name.equalsIgnoreCase("SharedAccessKey")) {
                    register(part.substring(eq + 1));
                }
            }
            Matcher sig = Pattern.compile("(?i)(?:^|[?&;])sig=([^&;]+)").matcher(value);
            while (sig.find()) {
                register(sig.group(1));
            }
            rebuild();
        }
    }

    /** A token or signature handed to the connector at run time (bearer tokens): masked while remembered. */
    public static void registerIssued(String token) {
        if (token == null || token.length() < MIN_ISSUED_LENGTH) {
            return;
        }
        if (ISSUED.put(token, Boolean.TRUE) == null) {
            rebuild();
        }
    }

    /**
     * Registers the secrets of the settings before anything reads them: the environment variables (and
     * {@code <NAME>_FILE} files), system properties, and literal values in the properties file.
     */
    public static void registerConfigured(Function<String, String> environment, Path propertiesFile) {
        Properties literal = new Properties();
        if (propertiesFile != null && Files.isRegularFile(propertiesFile)) {
            try (var in = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
                literal.load(in);
            } catch (IOException | IllegalArgumentException e) {
                // unreadable here: the settings report it when they read the file
            }
        }
        SETTINGS.forEach((variable, key) -> {
            register(environment.apply(variable));
            register(System.getProperty(key));
            String value = literal.getProperty(key);
            if (value != null && !value.contains("{{")) {
                register(value);
            }
            String file = environment.apply(variable + "_FILE");
            if (file != null && !file.isBlank()) {
                try {
                    register(Files.readString(Path.of(file.trim()), StandardCharsets.UTF_8));
                } catch (IOException | RuntimeException e) {
                    // the settings report an unreadable file, naming the variable
                }
            }
        });
        String federated = environment.apply("AZURE_FEDERATED_TOKEN_FILE");
        if (federated != null && !federated.isBlank()) {
            try {
                register(Files.readString(Path.of(federated.trim()), StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                // azure-identity reports it
            }
        }
    }

    /** The text with every secret value and credential shape masked. */
    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String masked = maskValues(text);
        for (Pattern shape : SHAPES) {
            Matcher matcher = shape.matcher(masked);
            if (matcher.find()) {
                masked = matcher.replaceAll(match -> Matcher.quoteReplacement(match.group(1)) + MASK);
            }
        }
        return masked;
    }

    /**
     * The text with the secret values masked, credential shapes left alone: for data that is not ours (a Mimecast
     * record kept as a dead letter), where a shape may be an ordinary part of the data.
     */
    public static String maskValues(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String masked = text;
        for (String literal : literals) {
            if (masked.contains(literal)) {
                masked = masked.replace(literal, MASK);
            }
        }
        return masked;
    }

    /** The literal list: each value as it is and as it appears URL-encoded or JSON-escaped. */
    private static synchronized void rebuild() {
        List<String> values = new ArrayList<>();
        List<String> sources = new ArrayList<>(CONFIGURED);
        synchronized (ISSUED) {
            sources.addAll(ISSUED.keySet());
        }
        for (String value : sources) {
            if (value.length() < MIN_LENGTH) {
                continue;
            }
            values.add(value);
            String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
            if (!encoded.equals(value)) {
                values.add(encoded);
                values.add(encoded.replace("+", "%20"));
            }
            String escaped = value.replace("\\", "\\\\").replace("\"", "\\\"").replace("/", "\\/");
            if (!escaped.equals(value)) {
                values.add(escaped);
            }
        }
        values.sort(Comparator.comparingInt(String::length).reversed());
        literals = List.copyOf(values.stream().distinct().toList());
    }
}
