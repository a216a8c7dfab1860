package com.mimecastsentinel.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

import com.mimecastsentinel.Application;
import com.mimecastsentinel.config.ConfigurationException;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.run.Runs;
import com.mimecastsentinel.sentinel.AzureClients;
import com.mimecastsentinel.sentinel.Destination;
import com.mimecastsentinel.sentinel.SentinelEndpoint;
import com.mimecastsentinel.sentinel.Target;
import com.mimecastsentinel.source.MimecastAccount;
import com.mimecastsentinel.source.MimecastCallAnswer;
import com.mimecastsentinel.source.MimecastCalls;
import com.mimecastsentinel.source.MimecastEndpoint;
import com.mimecastsentinel.source.MimecastRequest;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.StartupListener;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check itself, run once the connector's Camel context has started in check mode ({@code connector.check}: the
 * connector wired as for a run, no log type's route started, no lease taken, checkpoints in a scratch directory):
 * the settings' files, proxy and trust store, the checkpoint container, a token for each Azure audience the enabled
 * log types need, then each enabled log type's smallest Mimecast request through its {@code mimecast} endpoint's
 * source and account (the Mimecast API routes, started for it) and each of its {@code sentinel:} endpoints'
 * destinations without a row. The report goes to the {@value #RECEIVER} bean ({@link CheckCommand}); without one
 * (the Camel CLI) it is printed and the process ends with the check's exit status.
 */
public final class Preflight implements StartupListener {
    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);
    /** A {@link Receiver} bound under this name takes the report (and gives the environment and clock). */
    public static final String RECEIVER = "checkReceiver";

    /** Who asked for the check: the variables it judges, its clock, and what becomes of the report. */
    public record Receiver(Map<String, String> environment, Clock clock, Consumer<CheckReport> report) {
    }

    /**
     * How many checks run side by side, how long the whole check may take, and one check that calls out (a token,
     * the container, a log type): what gets no answer in time is reported so, and the check still ends in time.
     */
    private static final int PARALLEL = 8;
    private static final java.time.Duration BUDGET = java.time.Duration.ofSeconds(50);
    private static final java.time.Duration STEP = java.time.Duration.ofSeconds(35);

    private final Settings settings;
    private final AzureClients azure;
    private final boolean json;

    /** @param json the report as JSON (CONNECTOR_CHECK=json), else the table */
    public Preflight(Settings settings, AzureClients azure, boolean json) {
        this.settings = settings;
        this.azure = azure;
        this.json = json;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // the check runs once every route is there (onCamelContextFullyStarted)
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        Receiver receiver = context.getRegistry().lookupByNameAndType(RECEIVER, Receiver.class);
        Receiver asked = receiver != null ? receiver
                : new Receiver(System.getenv(), Clock.systemUTC(), null);
        CheckReport report = new CheckReport();
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL, task -> {
            Thread thread = new Thread(task, "check");
            thread.setDaemon(true);
            return thread;
        });
        try {
            new Within(pool, System.nanoTime() + BUDGET.toNanos()).run(context, asked, report);
        } catch (Exception e) {
            report.add(CheckResult.fail("check", "the check itself failed: " + AzureChecks.firstLine(
                    MimecastChecks.rootCause(e)), "run it again; if it fails the same way, report it with this "
                    + "message"));
        } finally {
            pool.shutdownNow();
        }
        if (receiver != null) {
            receiver.report().accept(report);
            return;
        }
        // the Camel CLI (camel run … with CONNECTOR_CHECK=true): the report, then the process ends with its status
        System.out.print(json ? report.json() : report.text());
        System.out.flush();
        int status = report.exitStatus();
        // off the starting thread: the JVM's shutdown hooks stop Camel, which waits for its start to end
        Thread exit = new Thread(() -> {
            LOG.debug("check done: exit status {}", status);
            System.exit(status);
        }, "check-exit");
        exit.start();
    }

    /** One check's run: its pool of threads and its deadline. */
    private final class Within {
        private final ExecutorService pool;
        private final long deadline;

        Within(ExecutorService pool, long deadline) {
            this.pool = pool;
            this.deadline = deadline;
        }

        void run(CamelContext context, Receiver asked, CheckReport report) throws Exception {
            report.add(CheckResult.pass("settings", "every setting parses (" + (settings.demo ? "the demo"
                    : "Mimecast " + settings.mimecastBaseUrl) + ", checkpoints " + settings.checkpointStore
                    .name().toLowerCase(Locale.ROOT) + ", rows to " + settings.sink.name().toLowerCase(Locale.ROOT)
                    + ")"));
            LocalChecks.unknownVariables(asked.environment(), LocalChecks.knownVariables(configurationTexts(context)))
                    .forEach(report::add);
            LocalChecks.files(asked.environment()).forEach(report::add);
            LocalChecks.directories(settings).forEach(report::add);
            LocalChecks.proxy(context.getPropertiesComponent()::resolveProperty).forEach(report::add); // 5 s at most
            report.add(LocalChecks.trustStore());
            if (settings.ownAccount()) {
                report.add(MimecastChecks.generation(settings));
            }
            if (settings.checkpointStore == Settings.CheckpointStoreKind.BLOB) {
                if (settings.storageAccountUrl != null) {
                    report.add(within("azure token (storage)", () -> AzureChecks.token(azure, settings, "storage",
                        AzureChecks.STORAGE_SCOPE)));
                }
                report.add(within("checkpoint store", () -> AzureChecks.blob(context, settings, azure)));
            }
            for (Route route : context.getRoutes()) {
                // the Mimecast API's own routes (direct:mimecast-call and the rest), which every call goes through
                if (route.getEndpoint().getEndpointUri().startsWith("direct:")) {
                    context.getRouteController().startRoute(route.getRouteId());
                }
            }
            logTypes(context, asked.clock(), report);
        }

        private void logTypes(CamelContext context, Clock clock, CheckReport report) {
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
                    report.add(within("azure token (logs ingestion)", () -> AzureChecks.token(azure, settings,
                            "logs ingestion", AzureChecks.MONITOR_SCOPE)));
                }
                if (used.stream().anyMatch(e -> SentinelEndpoint.THREAT_INTELLIGENCE.equals(e.getStream()))) {
                    report.add(within("azure token (resource manager, STIX upload)", () -> AzureChecks.token(azure,
                            settings, "resource manager, STIX upload", settings.resourceManagerEndpoint + "/.default")));
                }
            }
            ProducerTemplate template = context.createProducerTemplate();
            Map<String, CompletableFuture<CheckResult>> probed = new ConcurrentHashMap<>();
            Map<String, Callable<LogTypeChecked>> calls = new LinkedHashMap<>();
            List<Route> runnable = new ArrayList<>();
            for (Route route : routes) {
                MimecastEndpoint endpoint = (MimecastEndpoint) route.getEndpoint();
                String logType = endpoint.getLogType();
                // a declared account's log type is named by its state's name: accounts/<name>/<logType>
                String named = endpoint.getAccount().qualify(logType);
                String check = "mimecast " + named;
                if (!enabled.contains(route.getRouteId())) {
                    report.add(CheckResult.skip(check, settings.ownAccount() ? "not in MIMECAST_LOG_TYPES: not run"
                            : "not run: the MIMECAST_* settings name no account (the declared accounts' run)"));
                    continue;
                }
                // what a run does with it: the source says (its API generation, its DCR), as it says to a run
                String passedOver;
                try {
                    passedOver = endpoint.getSource().passedOver(logType, endpoint.getAccount());
                } catch (ConfigurationException e) {
                    report.add(CheckResult.fail(check, e.getMessage(), "correct " + e.setting() + ", or leave "
                            + logType + " out of " + (endpoint.getAccount().name() != null ? "the account's logTypes"
                                    : "MIMECAST_LOG_TYPES")));
                    continue;
                }
                if (passedOver != null) {
                    report.add(CheckResult.skip(check, passedOver + ": a run passes it over"));
                    continue;
                }
                runnable.add(route);
            }
            Map<MimecastAccount, Boolean> usable = accounts(runnable, report);
            for (Route route : runnable) {
                MimecastEndpoint endpoint = (MimecastEndpoint) route.getEndpoint();
                String named = endpoint.getAccount().qualify(endpoint.getLogType());
                if (!usable.get(endpoint.getAccount())) {
                    report.add(CheckResult.skip("mimecast " + named, "not called: Mimecast refused the account's "
                            + "credentials (above)"));
                    continue;
                }
                List<SentinelEndpoint> destinations = sinks.get(route.getRouteId());
                if (destinations.isEmpty()) {
                    report.add(CheckResult.warn("sentinel " + named, "no sentinel: endpoint found in the route "
                            + "(a to: step): its destination is not checked", "if the route sends elsewhere (toD, "
                            + "wireTap, another route), make sure the first run's rows arrive"));
                }
                calls.put(named, () -> logType(context, template, endpoint, destinations, probed, clock));
            }
            Instant mimecastDate = null;
            Instant localDate = null;
            List<LogTypeChecked> all = inParallel(calls);
            // API 1.0 has no token to ask for: an account's keys are proven by its log types' signed calls
            all.stream().filter(checked -> checked.signed() != null).map(LogTypeChecked::account).distinct()
                    .forEach(account -> report.add(signedRequests(account, all)));
            for (LogTypeChecked checked : all) {
                checked.results().forEach(report::add);
                if (mimecastDate == null && checked.mimecastDate() != null) {
                    mimecastDate = checked.mimecastDate();
                    localDate = checked.localDate();
                }
            }
            report.add(MimecastChecks.clock(mimecastDate, localDate, settings));
        }

        /**
         * What the check of one log type found, the time Mimecast's answer gave (with this clock's then), and whether
         * Mimecast took its API 1.0 signature (null: API 2.0, or no answer to tell).
         */
        private record LogTypeChecked(List<CheckResult> results, Instant mimecastDate, Instant localDate,
                Boolean signed, MimecastAccount account) {
        }

        /** An API 1.0 account's keys, judged by whether Mimecast took the signature of its log types' calls. */
        private static CheckResult signedRequests(MimecastAccount account, List<LogTypeChecked> all) {
            String check = credentialsCheck(account);
            if (all.stream().anyMatch(checked -> checked.account() == account
                    && Boolean.TRUE.equals(checked.signed()))) {
                return CheckResult.pass(check, "Mimecast took the API 1.0 signature of the calls");
            }
            return CheckResult.fail(check, "Mimecast refused the API 1.0 signature of every call (the log types "
                    + "below)", (account.name() == null ? "check MIMECAST_APP_ID, MIMECAST_APP_KEY, "
                    + "MIMECAST_ACCESS_KEY and MIMECAST_SECRET_KEY" : "check the account's appId and key files in "
                    + "MIMECAST_ACCOUNTS_FILE") + " (as the console shows them) and this machine's clock");
        }

        /** One log type: its smallest Mimecast request, then each of its destinations. */
        private LogTypeChecked logType(CamelContext context, ProducerTemplate template, MimecastEndpoint endpoint,
                List<SentinelEndpoint> destinations, Map<String, CompletableFuture<CheckResult>> probed, Clock clock) {
            String logType = endpoint.getLogType();
            String named = endpoint.getAccount().qualify(logType);
            List<CheckResult> results = new ArrayList<>();
            MimecastRequest request = endpoint.getSource().probe(logType);
            String date;
            boolean api1 = !endpoint.getAccount().auth().api2();
            Boolean signed = null;
            try {
                Exchange answer = new MimecastCalls(context, template, logType, endpoint.getAccount()).call(request);
                date = MimecastCallAnswer.header(answer, "Date");
                signed = api1 ? Boolean.TRUE : null;
                results.add(CheckResult.pass("mimecast " + named, request.method() + " " + request.path()
                        + " answered the log type's first request, at its smallest"));
            } catch (Exception e) {
                date = MimecastChecks.date(e);
                signed = api1 ? MimecastChecks.signatureTaken(e) : null;
                results.add(MimecastChecks.explain("mimecast " + named, e, endpoint.getSource(), request.path(),
                        endpoint.getAccount(), settings));
            }
            Instant local = clock.instant();
            for (SentinelEndpoint sink : destinations) {
                results.add(destination(named, sink, endpoint.getAccount().target(), probed));
            }
            return new LogTypeChecked(results, MimecastChecks.date(date), local, signed, endpoint.getAccount());
        }

        /**
         * The log types side by side ({@value #PARALLEL} at a time), their results in their order: a check of every log
         * type takes about as long as its slowest, and one without an answer by the check's deadline is reported so.
         */
        private List<LogTypeChecked> inParallel(Map<String, Callable<LogTypeChecked>> calls) {
            List<String> logTypes = List.copyOf(calls.keySet());
            List<Future<LogTypeChecked>> futures = calls.values().stream().map(pool::submit).toList();
            List<LogTypeChecked> checked = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                checked.add(await("mimecast " + logTypes.get(i), futures.get(i), Long.MAX_VALUE,
                        failed -> new LogTypeChecked(List.of(failed), null, null, null, null)));
            }
            return checked;
        }

        /** {@code work} on the pool, within the step's time and what is left of the check's. */
        private CheckResult within(String check, Callable<CheckResult> work) {
            return await(check, pool.submit(work), STEP.toNanos(), failed -> failed);
        }

        /** What {@code future} gives within its time, else what {@code failed} makes of the reason why not. */
        private <T> T await(String check, Future<T> future, long stepNanos, Function<CheckResult, T> failed) {
            try {
                return future.get(Math.max(0, Math.min(stepNanos, deadline - System.nanoTime())),
                        TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                future.cancel(true);
                return failed.apply(CheckResult.fail(check, "no answer in time (the check takes at most "
                        + BUDGET.toSeconds() + " s)", "check that this host reaches MIMECAST_BASE_URL and the Azure "
                        + "endpoints (DNS, firewall, proxy), and run check again"));
            } catch (ExecutionException e) {
                return failed.apply(CheckResult.fail(check, "its check failed: " + AzureChecks.firstLine(
                        MimecastChecks.rootCause(e)), "run check again; if it fails the same way, report it with "
                        + "this message"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        /**
         * The accounts the log types call, each checked once, all at once (a connector of many accounts): whether its
         * calls can be made. A declared account's API generation against its host, and for API 2.0 a token (API 1.0
         * signs each call: its log types' calls prove its keys).
         */
        private Map<MimecastAccount, Boolean> accounts(List<Route> routes, CheckReport report) {
            Map<MimecastAccount, Future<CheckResult>> tokens = new LinkedHashMap<>();
            for (Route route : routes) {
                MimecastAccount account = ((MimecastEndpoint) route.getEndpoint()).getAccount();
                tokens.computeIfAbsent(account, a -> pool.submit(() -> a.auth().api2() ? token(a) : null));
            }
            Map<MimecastAccount, Boolean> usable = new HashMap<>();
            tokens.forEach((account, token) -> {
                if (account.name() != null) {
                    report.add(MimecastChecks.generation(account));
                }
                CheckResult credentials = await(credentialsCheck(account), token, STEP.toNanos(), failed -> failed);
                if (credentials != null) {
                    report.add(credentials);
                }
                usable.put(account, credentials == null || credentials.result() == CheckResult.Outcome.PASS);
            });
            return usable;
        }

        private CheckResult token(MimecastAccount account) {
            String check = credentialsCheck(account);
            try {
                account.auth().check();
                return CheckResult.pass(check, "a token from " + account.baseUrl() + "/oauth/token");
            } catch (RuntimeException e) {
                return MimecastChecks.credentials(check, e, account, settings);
            }
        }
    }

    /** The line of an account's credentials: {@code mimecast credentials}, with a declared account's name. */
    private static String credentialsCheck(MimecastAccount account) {
        return "mimecast credentials" + (account.name() == null ? "" : " " + MimecastAccount.NAMESPACE
                + account.name());
    }

    /** A sentinel: endpoint's destination takes its stream (a stream shared by log types is asked once). */
    private CheckResult destination(String logType, SentinelEndpoint sink, Target target,
            Map<String, CompletableFuture<CheckResult>> probed) {
        String check = "sentinel " + logType;
        String key;
        try {
            key = sink.destination(target) + " " + sink.getStream();
        } catch (RuntimeException e) {
            return endpointFailed(check, e);
        }
        CompletableFuture<CheckResult> mine = new CompletableFuture<>();
        CompletableFuture<CheckResult> first = probed.putIfAbsent(key, mine);
        if (first == null) {
            try {
                mine.complete(probe(check, sink, target));
            } catch (Throwable e) { // never leaves a log type that shares the stream waiting
                mine.complete(CheckResult.fail(check, "its check failed: " + e, "report it with this message"));
            }
            first = mine;
        }
        try {
            CheckResult result = first.get(); // interrupted when the check's deadline passed
            return new CheckResult(check, result.result(), result.detail(), result.fix());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static CheckResult probe(String check, SentinelEndpoint sink, Target target) {
        try {
            Destination.Probe probe = sink.probe(target);
            return probe.proven() ? CheckResult.pass(check, probe.detail())
                    : CheckResult.warn(check, probe.detail(), "make sure a first run's rows arrive (the run summary "
                            + "counts them; docs/operations.md)");
        } catch (Destination.Refused e) {
            return CheckResult.fail(check, e.getMessage(), e.fix());
        } catch (RuntimeException e) {
            return endpointFailed(check, e);
        }
    }

    private static CheckResult endpointFailed(String check, RuntimeException e) {
        ConfigurationException config = MimecastChecks.find(e, ConfigurationException.class);
        return CheckResult.fail(check, AzureChecks.firstLine(e), config != null ? "correct " + config.setting()
                + " (docs/configuration.md)" : "check the settings of the sentinel: endpoint and "
                + "SENTINEL_INGESTION_ENDPOINT");
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
}
