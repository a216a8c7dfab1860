package com.mimecastsentinel.check;

import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import com.mimecastsentinel.Application;
import com.mimecastsentinel.ConnectorConfiguration;
import com.mimecastsentinel.config.ConfigurationException;
import com.mimecastsentinel.config.Settings;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.apache.camel.spi.PropertiesComponent;

/**
 * {@code java -jar mimecast-sentinel.jar check}: whether a deployment will work, before its first event. Reads the
 * settings as a run does (one that does not parse is the report), then starts the connector in check mode
 * ({@link ConnectorConfiguration#CHECK}), whose {@link Preflight} calls through it and hands the report back here.
 * Nothing is written to a table, and the connector's checkpoints are not touched (a probe document in the container
 * is written and deleted).
 */
public final class CheckCommand {
    static final String USAGE = """
            usage: check [--json]
              Checks everything a run of these settings needs (application.properties, routes/*.yaml and the
              environment, read as a run reads them), without writing a row to any table: the settings and the files
              they name, the proxy and trust store, Mimecast (the credentials, the clock, one smallest request per
              enabled log type), Azure (a token for each audience, each stream of each enabled log type on its DCR,
              the STIX upload, the checkpoint container: written, read, leased and deleted).
              --json   the report as one JSON document
              exit status: 0 everything a run needs works; 1 something does not (each failure says what to do);
              2 usage""";

    private final Properties overrides;
    private final Map<String, String> environment;
    private final Clock clock;

    CheckCommand(Properties overrides, Map<String, String> environment, Clock clock) {
        this.overrides = overrides;
        this.environment = environment;
        this.clock = clock;
    }

    /** @return the exit status: 0 a run has what it needs, 1 it has not, 2 wrong usage */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return run(args, new Properties(), System.getenv(), Clock.systemUTC(), out, err);
    }

    /**
     * @param overrides   settings that win over application.properties (tests, as {@link Application#run})
     * @param environment the variables the check judges (typos, files named) and reads {@code <NAME>_FILE} from
     */
    public static int run(List<String> args, Properties overrides, Map<String, String> environment, Clock clock,
            PrintStream out, PrintStream err) {
        boolean json = false;
        for (String arg : args.subList(Math.min(1, args.size()), args.size())) {
            switch (arg) {
                case "--json" -> json = true;
                case "--help", "-h" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    err.println("unknown argument '" + arg + "'");
                    err.println(USAGE);
                    return 2;
                }
            }
        }
        Application.maskSecretsInLogs();
        CheckReport report = new CheckCommand(overrides, environment, clock).check();
        out.print(json ? report.json() : report.text());
        out.flush();
        return report.exitStatus();
    }

    CheckReport check() {
        CheckReport report = new CheckReport();
        DefaultCamelContext scratch = new DefaultCamelContext();
        try {
            // the settings first, as a run reads them: a setting that does not parse is the report
            PropertiesComponent properties = scratch.getPropertiesComponent();
            properties.setLocation(Application.propertiesLocation());
            if (!overrides.isEmpty()) {
                properties.setOverrideProperties(overrides);
            }
            new Settings(properties::resolveProperty, environment::get);
        } catch (ConfigurationException e) {
            report.add(settingsFailed(e));
            return report;
        } finally {
            scratch.stop();
        }
        Properties run = new Properties();
        run.putAll(overrides);
        run.put(ConnectorConfiguration.CHECK, "true");
        run.put("camel.main.routes-reload-enabled", "false");
        run.put("camel.management.enabled", "false");
        run.put("camel.metrics.enabled", "false");
        AtomicReference<CheckReport> checked = new AtomicReference<>();
        Main main = Application.connector(run);
        main.bind(Preflight.RECEIVER, new Preflight.Receiver(environment, clock, checked::set));
        try {
            main.start();
        } catch (Exception e) {
            ConfigurationException config = MimecastChecks.find(e, ConfigurationException.class);
            report.add(config != null ? settingsFailed(config)
                    : CheckResult.fail("routes", "the connector does not start: "
                            + AzureChecks.firstLine(MimecastChecks.rootCause(e)),
                            "correct what the message names in routes/*.yaml or application.properties"));
            return report;
        } finally {
            main.stop();
        }
        return checked.get() != null ? checked.get() : failed(report);
    }

    private static CheckReport failed(CheckReport report) {
        report.add(CheckResult.fail("check", "the connector started but ran no check", "report it"));
        return report;
    }

    private static CheckResult settingsFailed(ConfigurationException e) {
        return CheckResult.fail("settings", e.getMessage(), "correct " + e.setting() + " (docs/configuration.md)");
    }

}
