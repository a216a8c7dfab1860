package com.mimecastsentinel.check;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.mimecastsentinel.Application;
import com.mimecastsentinel.ConnectorConfiguration;
import com.mimecastsentinel.config.ConfigurationException;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.run.Runs;
import com.mimecastsentinel.sentinel.AzureClients;
import com.mimecastsentinel.sentinel.Destination;
import com.mimecastsentinel.sentinel.SentinelEndpoint;
import com.mimecastsentinel.source.MimecastAccount;
import com.mimecastsentinel.source.MimecastCallAnswer;
import com.mimecastsentinel.source.MimecastCalls;
import com.mimecastsentinel.source.MimecastEndpoint;
import com.mimecastsentinel.source.MimecastRequest;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;

/**
 * {@code java -jar mimecast-sentinel.jar check}: whether a deployment will work, before its first event. Reads the
 * settings as a run does, then wires the connector as a run does (its Camel context, with the routes of
 * routes/*.yaml loaded but none of the log types' started, no lease taken) and calls through it: each enabled log
 * type's smallest Mimecast request through its {@code mimecast} endpoint's source and account, each of its
 * {@code sentinel:} endpoints' destinations without a row ({@link Destination#probe}). Nothing is written to a
 * table, and the connector's checkpoints are not touched (a probe document in the container is written and deleted).
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

    /** Calls in a check are tried at most twice and wait at most this long on a rate limit: a check is quick. */
    private static final Duration MAX_RATE_LIMIT_WAIT = Duration.ofSeconds(5);
    private static final Duration MAX_HTTP_TIMEOUT = Duration.ofSeconds(15);

    private final Properties overrides;
    private final Map<String, String> environment;
    private final Clock clock;
    private final CheckReport report = new CheckReport();

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
        DefaultCamelContext scratch = new DefaultCamelContext();
        try {
            PropertiesComponent properties = scratch.getPropertiesComponent();
            properties.setLocation(Application.propertiesLocation());
            if (!overrides.isEmpty()) {
                properties.setOverrideProperties(overrides);
            }
            Settings settings;
            try {
                settings = new Settings(properties::resolveProperty, environment::get);
            } catch (ConfigurationException e) {
                report.add(CheckResult.fail("settings", e.getMessage(), "correct " + e.setting()
                        + " (docs/configuration.md)"));
                return report;
            }
            report.add(CheckResult.pass("settings", "every setting parses (" + (settings.demo ? "the demo"
                    : "Mimecast " + settings.mimecastBaseUrl) + ", checkpoints " + settings.checkpointStore
                    .name().toLowerCase(java.util.Locale.ROOT) + ", rows to " + settings.sink.name()
                    .toLowerCase(java.util.Locale.ROOT) + ")"));
            LocalChecks.unknownVariables(environment, LocalChecks.knownVariables(configurationTexts(scratch)))
                    .forEach(report::add);
            LocalChecks.files(environment).forEach(report::add);
            LocalChecks.directories(settings).forEach(report::add);
            LocalChecks.proxy(properties::resolveProperty).forEach(report::add);
            report.add(LocalChecks.trustStore());
            report.add(MimecastChecks.generation(settings));
            AzureClients azure = new AzureClients(settings);
            if (settings.checkpointStore == Settings.CheckpointStoreKind.BLOB) {
                if (settings.storageAccountUrl != null) {
                    report.add(AzureChecks.token(azure, settings, "storage", AzureChecks.STORAGE_SCOPE));
                }
                report.add(AzureChecks.blob(settings, azure));
            }
            throughTheConnector(settings, azure);
        } finally {
            scratch.stop();
        }
        return report;
    }

    /** The connector wired as for a run, its log types' routes not started: each one's calls, made through it. */
    private void throughTheConnector(Settings settings, AzureClients azure) {
        Path scratch;
        try {
            scratch = Files.createTempDirectory("mimecast-sentinel-check");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Main main = Application.connector(checkOverrides(settings, scratch));
        try {
            try {
                main.start();
            } catch (Exception e) {
                ConfigurationException config = MimecastChecks.find(e, ConfigurationException.class);
                report.add(config != null
                        ? CheckResult.fail("settings", config.getMessage(), "correct " + config.setting()
                                + " (docs/configuration.md)")
                        : CheckResult.fail("routes", "the connector does not start: " + AzureChecks.firstLine(
                                rootCause(e)), "correct what the message names in routes/*.yaml or "
                                + "application.properties"));
                return;
            }
            CamelContext context = main.getCamelContext();
            for (Route route : context.getRoutes()) {
                // the Mimecast API's own routes (direct:mimecast-call and the rest), which every call goes through
                if (route.getEndpoint().getEndpointUri().startsWith("direct:")) {
                    context.getRouteController().startRoute(route.getRouteId());
                }
            }
            logTypes(context, settings, azure);
        } catch (Exception e) {
            report.add(CheckResult.fail("check", "the check itself failed: " + AzureChecks.firstLine(rootCause(e)),
                    "run it again; if it fails the same way, report it with this message"));
        } finally {
            main.stop();
            deleteQuietly(scratch);
        }
    }

    private void logTypes(CamelContext context, Settings settings, AzureClients azure) {
        Runs runs = context.getRegistry().lookupByNameAndType(Runs.BEAN, Runs.class);
        List<String> enabled = runs.enabledLogTypes();
        List<Route> routes = context.getRoutes().stream().filter(r -> r.getEndpoint() instanceof MimecastEndpoint)
                .sorted(Comparator.comparing(Route::getRouteId)).toList();
        Map<String, List<SentinelEndpoint>> sinks = new LinkedHashMap<>();
        for (Route route : routes) {
            sinks.put(route.getRouteId(), sentinelEndpoints(context, route.getRouteId()));
        }
        if (settings.sink == Settings.SinkKind.SENTINEL) {
            List<SentinelEndpoint> used = routes.stream().filter(r -> enabled.contains(r.getRouteId()))
                    .flatMap(r -> sinks.get(r.getRouteId()).stream()).toList();
            if (used.stream().anyMatch(e -> !SentinelEndpoint.THREAT_INTELLIGENCE.equals(e.getStream()))) {
                report.add(AzureChecks.token(azure, settings, "logs ingestion", AzureChecks.MONITOR_SCOPE));
            }
            if (used.stream().anyMatch(e -> SentinelEndpoint.THREAT_INTELLIGENCE.equals(e.getStream()))) {
                report.add(AzureChecks.token(azure, settings, "resource manager, STIX upload",
                        settings.resourceManagerEndpoint + "/.default"));
            }
        }
        ProducerTemplate template = context.createProducerTemplate();
        Map<MimecastAccount, Boolean> accounts = new HashMap<>();
        Map<String, CheckResult> probed = new HashMap<>();
        Instant mimecastDate = null;
        Instant localDate = null;
        for (Route route : routes) {
            MimecastEndpoint endpoint = (MimecastEndpoint) route.getEndpoint();
            String logType = endpoint.getLogType();
            String check = "mimecast " + logType;
            if (!enabled.contains(route.getRouteId())) {
                report.add(CheckResult.skip(check, "not in MIMECAST_LOG_TYPES: not run"));
                continue;
            }
            String api = endpoint.getSource().getApi();
            String has = settings.mimecastClientId != null ? "2.0" : "1.0";
            if (!settings.demo && api != null && !api.equals("any") && !api.equals(has)) {
                String credentials = api.equals("2.0") ? "MIMECAST_CLIENT_ID and MIMECAST_CLIENT_SECRET"
                        : "MIMECAST_APP_ID, MIMECAST_APP_KEY, MIMECAST_ACCESS_KEY and MIMECAST_SECRET_KEY";
                report.add(settings.logTypes.contains(logType)
                        ? CheckResult.fail(check, logType + " needs Mimecast API " + api + ", the credentials are API "
                                + has, "set " + credentials + ", or leave " + logType + " out of MIMECAST_LOG_TYPES")
                        : CheckResult.skip(check, "needs Mimecast API " + api + " credentials: a run passes it over"));
                continue;
            }
            MimecastAccount account = endpoint.getAccount();
            Boolean usable = accounts.computeIfAbsent(account, a -> credentials(a, settings));
            if (!usable) {
                report.add(CheckResult.skip(check, "not called: Mimecast refused the account's credentials (above)"));
                continue;
            }
            MimecastRequest request = endpoint.getSource().probe(logType);
            String date;
            try {
                Exchange answer = new MimecastCalls(context, template, logType, account).call(request);
                date = MimecastCallAnswer.header(answer, "Date");
                report.add(CheckResult.pass(check, request.method() + " " + request.path() + " answered the log "
                        + "type's first request, at its smallest"));
            } catch (Exception e) {
                date = MimecastChecks.date(e);
                report.add(MimecastChecks.explain(check, e, endpoint.getSource(), request.path(), settings));
            }
            if (mimecastDate == null && MimecastChecks.date(date) != null) {
                mimecastDate = MimecastChecks.date(date);
                localDate = clock.instant();
            }
            for (SentinelEndpoint sink : sinks.get(route.getRouteId())) {
                report.add(destination(logType, sink, probed));
            }
        }
        report.add(MimecastChecks.clock(mimecastDate, localDate, settings));
    }

    /** API 2.0: a token for the account (API 1.0 signs each call: its log types' calls prove its keys). */
    private boolean credentials(MimecastAccount account, Settings settings) {
        if (!account.auth().api2()) {
            return true;
        }
        try {
            account.auth().check();
            report.add(CheckResult.pass("mimecast credentials", "a token from " + account.baseUrl() + "/oauth/token"));
            return true;
        } catch (RuntimeException e) {
            report.add(MimecastChecks.credentials(e, settings));
            return false;
        }
    }

    /** A sentinel: endpoint's destination takes its stream (a stream shared by log types is asked once). */
    private CheckResult destination(String logType, SentinelEndpoint sink, Map<String, CheckResult> probed) {
        String check = "sentinel " + logType;
        String key;
        try {
            key = sink.destination() + " " + sink.getStream();
        } catch (RuntimeException e) {
            ConfigurationException config = MimecastChecks.find(e, ConfigurationException.class);
            return CheckResult.fail(check, AzureChecks.firstLine(e), config != null ? "correct " + config.setting()
                    + " (docs/configuration.md)" : "check the settings of the sentinel: endpoint");
        }
        CheckResult result = probed.computeIfAbsent(key, k -> {
            try {
                Destination.Probe probe = sink.probe();
                return probe.proven() ? CheckResult.pass(check, probe.detail())
                        : CheckResult.warn(check, probe.detail(), "make sure a first run's rows arrive (the run "
                                + "summary counts them; docs/operations.md)");
            } catch (Destination.Refused e) {
                return CheckResult.fail(check, e.getMessage(), e.fix());
            } catch (RuntimeException e) {
                ConfigurationException config = MimecastChecks.find(e, ConfigurationException.class);
                return CheckResult.fail(check, AzureChecks.firstLine(e), config != null ? "correct "
                        + config.setting() + " (docs/configuration.md)" : "check the settings of the sentinel: "
                        + "endpoint and SENTINEL_INGESTION_ENDPOINT");
            }
        });
        return new CheckResult(check, result.result(), result.detail(), result.fix());
    }

    /** The {@code sentinel:} endpoints a log type's route sends to (anywhere in it, choices and filters too). */
    private static List<SentinelEndpoint> sentinelEndpoints(CamelContext context, String routeId) {
        RouteDefinition route = ((ModelCamelContext) context).getRouteDefinition(routeId);
        List<SentinelEndpoint> endpoints = new ArrayList<>();
        if (route == null) {
            return endpoints;
        }
        for (ToDefinition to : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), ToDefinition.class)) {
            String uri = to.getEndpointUri();
            if (uri != null && context.resolvePropertyPlaceholders(uri).startsWith("sentinel:")
                    && context.getEndpoint(uri) instanceof SentinelEndpoint sentinel && !endpoints.contains(sentinel)) {
                endpoints.add(sentinel);
            }
        }
        return endpoints;
    }

    /**
     * The settings of the check's own wiring: no route of a log type starts, nothing is served or reloaded,
     * checkpoints and dead letters (never written by a check) in a scratch directory, and calls that are quick to
     * give up.
     */
    private Properties checkOverrides(Settings settings, Path scratch) {
        Properties run = new Properties();
        run.putAll(overrides);
        run.put(ConnectorConfiguration.CHECK, "true");
        run.put("camel.main.auto-startup", "false");
        run.put("camel.main.routes-reload-enabled", "false");
        run.put("camel.management.enabled", "false");
        run.put("camel.metrics.enabled", "false");
        run.put("checkpoint.store", "file");
        run.put("checkpoint.dir", scratch.resolve("checkpoints").toString());
        run.put("dead-letter.dir", scratch.resolve("dead-letter").toString());
        run.put("mimecast.max-attempts", "2");
        run.put("mimecast.max-rate-limit-wait", MAX_RATE_LIMIT_WAIT.toString());
        run.put("http.timeout", (settings.httpTimeout.compareTo(MAX_HTTP_TIMEOUT) < 0 ? settings.httpTimeout
                : MAX_HTTP_TIMEOUT).toString());
        return run;
    }

    /** application.properties and the route files, as a run reads them (for the variables they name). */
    private static List<String> configurationTexts(CamelContext context) {
        List<String> texts = new ArrayList<>();
        try {
            var resolver = PluginHelper.getPackageScanResourceResolver(context);
            var loader = PluginHelper.getResourceLoader(context);
            texts.add(read(loader.resolveResource(Application.propertiesLocation())));
            for (Resource route : resolver.findResources(Application.routesLocation())) {
                texts.add(read(route));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the configuration: " + e.getMessage(), e);
        }
        return texts;
    }

    private static String read(Resource resource) throws IOException {
        try (InputStream in = resource.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static void deleteQuietly(Path directory) {
        try (var paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a scratch directory under the temp dir: left for the system to clean
        }
    }
}
