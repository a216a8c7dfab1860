package com.mimecastsentinel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import com.mimecastsentinel.config.ConfigurationException;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.logging.MaskingAppender;
import com.mimecastsentinel.logging.Secrets;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * {@code java -jar target/mimecast-sentinel.jar} (or {@code … checkpoint show|reset}, see
 * {@link CheckpointCommand}, {@code … tables}, see {@link TablesCommand}, or {@code … check}, see
 * {@link com.mimecastsentinel.check.CheckCommand}): camel-main with application.properties
 * and routes/*.yaml from the working directory (the copies packaged in the jar when they are absent). Exits
 * non-zero when start-up fails or, with RUN_ONCE, when a log type failed.
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        java.io.PrintStream stdout = System.out;
        if (args.length > 0 && (args[0].equals("tables") || args[0].equals("check"))) {
            // the console appender takes System.out as it is when logging starts: the Azure SDK's warnings go to
            // stderr, and stdout carries the report alone (one JSON document with --json)
            System.setOut(System.err);
        }
        maskSecretsInLogs();
        if (args.length > 0 && args[0].equals("checkpoint")) {
            System.exit(CheckpointCommand.run(java.util.List.of(args), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("check")) {
            System.exit(com.mimecastsentinel.check.CheckCommand.run(java.util.List.of(args), stdout, System.err));
        }
        if (args.length > 0 && args[0].equals("tables")) {
            System.exit(TablesCommand.run(java.util.List.of(args), stdout, System.err));
        }
        System.exit(run(new Properties(), args));
    }

    /**
     * Runs the connector until it is stopped (or, with RUN_ONCE, until every log type caught up).
     *
     * @param overrides settings that win over application.properties and the environment (tests, tools)
     * @return the process exit status
     */
    public static int run(Properties overrides, String... args) {
        maskSecretsInLogs();
        Main main = connector(overrides);
        try {
            int code = main.run(args);
            return code != 0 ? code : com.mimecastsentinel.run.Runs.exitCode();
        } catch (Exception e) {
            return startupFailed(e);
        }
    }

    /**
     * The connector as camel-main runs it: application.properties and routes/*.yaml of the working directory (else
     * the jar's copies), {@code overrides} winning over both.
     */
    public static Main connector(Properties overrides) {
        Main main = new Main();
        main.setPropertyPlaceholderLocations(propertiesLocation());
        main.configure().withRoutesIncludePattern(routesLocation());
        if (!overrides.isEmpty()) {
            main.setOverrideProperties(overrides);
        }
        return main;
    }

    /** routes/*.yaml of the working directory, else the copies packaged in the jar. */
    public static String routesLocation() {
        return Files.isDirectory(Path.of("routes")) ? "file:routes/*.yaml" : "classpath:routes/*.yaml";
    }

    /** application.properties of the working directory, else the copy packaged in the jar. */
    public static String propertiesLocation() {
        return Files.isRegularFile(Path.of("application.properties")) ? "file:application.properties"
                : "classpath:application.properties";
    }

    /**
     * The settings a run would have (application.properties, its placeholders, the environment), for a command;
     * {@code context} only resolves properties: nothing is started.
     */
    static Settings commandSettings(CamelContext context) {
        return new Settings(commandProperties(context), System::getenv);
    }

    /** application.properties and its placeholders, resolved by {@code context} (nothing is started). */
    static java.util.function.Function<String, java.util.Optional<String>> commandProperties(CamelContext context) {
        context.getPropertiesComponent().setLocation(propertiesLocation());
        return context.getPropertiesComponent()::resolveProperty;
    }

    /**
     * Before anything reads a setting: the configured secrets are known to the log masking, and every appender
     * masks them (and credential shapes) at every level.
     */
    public static void maskSecretsInLogs() {
        Secrets.registerConfigured(System::getenv, Path.of("application.properties"));
        MaskingAppender.install();
    }

    static int startupFailed(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConfigurationException config) {
                System.err.println(config.getMessage());
                return 2;
            }
        }
        StringBuilder message = new StringBuilder("Start-up failed: ").append(e);
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            message.append(System.lineSeparator()).append("  caused by: ").append(cause);
        }
        System.err.println(Secrets.mask(message.toString()));
        return 1;
    }
}
