package com.mimecastsentinel.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Environment variables (as docs/configuration.md names them) to their keys in application.properties, for in-JVM runs. The
 * mapping is read from application.properties itself ({@code key = {{env:NAME:default}}}), so it cannot drift.
 */
public final class Settings4Tests {
    private static final Pattern ENV_KEY = Pattern.compile("^\\s*([\\w.-]+)\\s*=\\s*\\{\\{env:([A-Z0-9_]+):");
    private static final Map<String, String> PROPERTY_KEYS = readKeys();

    private Settings4Tests() {
    }

    /**
     * The keys of these variables, for a run in this JVM. Several test JVMs run connectors side by side: the
     * management server (one port, 9876 by default) only where a test asks for it, as {@link ConnectorProcess} does.
     */
    public static Properties properties(Map<String, String> environment) {
        Properties properties = new Properties();
        if (!environment.containsKey("MANAGEMENT_PORT") && !environment.containsKey("MANAGEMENT_ENABLED")) {
            properties.put("camel.management.enabled", "false");
        }
        environment.forEach((variable, value) -> {
            String key = PROPERTY_KEYS.get(variable);
            if (key == null) {
                throw new IllegalArgumentException("no key in application.properties reads " + variable);
            }
            properties.put(key, value);
        });
        return properties;
    }

    private static Map<String, String> readKeys() {
        Map<String, String> keys = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("application.properties"))) {
                Matcher match = ENV_KEY.matcher(line);
                if (match.find()) {
                    keys.put(match.group(2), match.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(keys);
    }
}
