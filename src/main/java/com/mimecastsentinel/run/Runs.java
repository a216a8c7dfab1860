package com.mimecastsentinel.run;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.mimecastsentinel.config.ConfigurationException;
import com.mimecastsentinel.config.Settings;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.StartupListener;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.apache.camel.support.RoutePolicySupport;
import com.mimecastsentinel.source.MimecastConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The route policy of every log type's route ({@code routePolicy: mimecastRuns}) and the poll strategy of its
 * {@code mimecast} endpoint (a poll is a run):
 * <ul>
 * <li>the MIMECAST_* account's log types start when it has credentials (or is the demo), those MIMECAST_LOG_TYPES
 * names (all when it is empty), and every route made for a declared account; a name no route has stops
 * start-up;</li>
 * <li>each run ends with one summary line (what it fetched, delivered, dropped, where the checkpoint is) and its
 * metrics; a failure names its cause, a log type the account is not licensed for is said once;</li>
 * <li>with RUN_ONCE each enabled log type runs once, to the end of what Mimecast has, and then the connector stops;
 * the exit status says whether all succeeded ({@link #exitCode()}).</li>
 * </ul>
 */
public final class Runs extends RoutePolicySupport implements StartupListener, PollingConsumerPollStrategy {
    private static final Logger LOG = LoggerFactory.getLogger(Runs.class);
    public static final String BEAN = "mimecastRuns";
    private static final int NOT_RUN_ONCE = -1;
    private static final int RUNNING = -2;
    private static final AtomicInteger EXIT_CODE = new AtomicInteger(NOT_RUN_ONCE);

    private final Settings settings;
    private final ConnectorMetrics metrics;
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private final Map<String, Boolean> finished = new ConcurrentHashMap<>();
    private final Set<String> warnedNotLicensed = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final boolean checking;
    /** The crons of declared accounts' routes, by route. */
    private final Map<String, String> crons = new ConcurrentHashMap<>();
    private volatile CamelContext camelContext;
    /** RUN_ONCE: the routes of finished log types, then the context, stopped one after the other off the runs. */
    private final java.util.concurrent.ExecutorService stopper = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
                Thread thread = new Thread(r, "run-once");
                thread.setDaemon(true);
                return thread;
            });

    /** @param checking for the check command: no log type's route starts */
    public Runs(Settings settings, ConnectorMetrics metrics, boolean checking) {
        this.settings = settings;
        this.metrics = metrics;
        this.checking = checking;
    }

    /**
     * The exit status for the process: 0 for a service, and with RUN_ONCE 0 only when every log type ran to the end
     * (1 when one failed or a shutdown cut the runs short).
     */
    public static int exitCode() {
        int code = EXIT_CODE.get();
        return code == NOT_RUN_ONCE ? 0 : code == RUNNING ? 1 : code;
    }

    @Override
    public void onInit(Route route) {
        known.add(route.getRouteId());
        camelContext = route.getCamelContext();
        if (!declared(route.getRouteId())) {
            settings.scheduleFor(route.getRouteId()); // a wrong SCHEDULE_<LOGTYPE> stops start-up, naming it
        } else {
            // a declared account's cron is its route's own (AccountRoutes: the account's, or at its own second)
            if (route.getEndpoint() instanceof org.apache.camel.support.ScheduledPollEndpoint polled
                    && polled.getSchedulerProperties() != null && polled.getSchedulerProperties().get("cron") != null) {
                crons.put(route.getRouteId(), String.valueOf(polled.getSchedulerProperties().get("cron")));
            }
        }
        if (!enabled(route.getRouteId()) || checking) {
            route.setAutoStartup(false); // not in MIMECAST_LOG_TYPES, or the check command's (it runs none)
        }
    }

    /**
     * A declared account's log type runs (its entry chose its log types); one of the MIMECAST_* account runs when
     * MIMECAST_LOG_TYPES names it (or names none) and that account has credentials (or is the demo).
     */
    private boolean enabled(String logType) {
        return declared(logType) || settings.ownAccount()
                && (settings.logTypes.isEmpty() || settings.logTypes.contains(logType));
    }

    /** A declared account's route ({@code accounts/<name>/<logType>}). */
    private static boolean declared(String routeId) {
        return routeId.startsWith(com.mimecastsentinel.source.MimecastAccount.NAMESPACE);
    }

    /** The routes that run: the declared accounts', and the MIMECAST_* account's that MIMECAST_LOG_TYPES names. */
    public List<String> enabledLogTypes() {
        if (known.isEmpty()) {
            // e.g. routes/*.yaml not found from the working directory, or a runner that skipped them
            throw new IllegalStateException("no log type routes were loaded (expected routes/<logType>.yaml files "
                    + "whose route reads from a mimecast: endpoint)");
        }
        for (String wanted : settings.logTypes) {
            if (!known.contains(wanted)) {
                throw new ConfigurationException("MIMECAST_LOG_TYPES", "names unknown log type '" + wanted
                        + "'; known: " + known.stream().sorted().toList());
            }
        }
        return known.stream().filter(this::enabled).sorted().toList();
    }

    @Override
    public void onCamelContextStarting(CamelContext context, boolean alreadyStarted) {
        EXIT_CODE.set(settings.runOnce ? RUNNING : NOT_RUN_ONCE);
        finished.clear();
        stopping.set(false);
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // checked once every route is known (onCamelContextFullyStarted)
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        enabledLogTypes(); // a wrong name stops the connector
    }

    // ---- the poll strategy of the mimecast endpoints: a poll is a run ----

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        return true;
    }

    /** A run ended: its summary and metrics; with RUN_ONCE, the log type has had its run. */
    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        if (consumer instanceof MimecastConsumer mimecast && !MimecastConsumer.passedOver()) {
            ended(mimecast.logType(), mimecast.lastRun());
        }
    }

    /** A poll that threw (the consumer reports a run's failures itself: this is one it did not expect). */
    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        String logType = consumer instanceof MimecastConsumer mimecast ? mimecast.logType() : endpoint.getEndpointKey();
        LOG.error("{}: run failed: {}", logType, describe(cause));
        metrics.runFinished(logType, false);
        if (settings.runOnce) {
            ranOnce(logType, false);
        }
        return false;
    }

    private void ended(String logType, Run run) {
        boolean ok;
        if (run == null) {
            metrics.progressed(logType); // not for this instance's API generation
            ok = true;
        } else if (run.checkpoint == null) {
            LOG.error("{}: run failed before it started: {}", logType, describe(run.failure));
            metrics.runFinished(logType, false);
            ok = false;
        } else {
            ok = summarize(logType, run, run.failure);
        }
        if (settings.runOnce) {
            ranOnce(logType, ok && (run == null || !run.interrupted));
        }
    }

    /**
     * Another instance leads this log type (its route does not run here): that is progress as far as readiness
     * goes, and with RUN_ONCE this instance has done its part of it.
     */
    public void standsBy(String logType) {
        if (com.mimecastsentinel.source.MimecastAccount.logTypeOf(logType) == null) {
            // a declared account's lease: every log type of the account stands by
            known.stream().filter(route -> route.startsWith(logType + "/")).forEach(this::standsBy);
            return;
        }
        metrics.progressed(logType);
        if (settings.runOnce && enabled(logType)) {
            ranOnce(logType, true);
        }
    }

    /** Logs the run's summary and counts it; false when it failed. */
    private boolean summarize(String logType, Run run, Throwable failure) {
        long millis = Duration.between(run.started, Instant.now()).toMillis();
        String summary = String.format("%s: %s window=%s pages=%d files=%d fetched=%d delivered=%d duplicates=%d "
                + "skipped=%d additionalFields=%d duration=%dms checkpoint=%s", logType,
                failure == null ? "run complete" : "run FAILED", run.window(), run.pages, run.files, run.fetched.sum(),
                run.delivered.sum(), run.duplicates.sum(), run.skipped.sum(), run.additionalFields.sum(), millis,
                run.position());
        metrics.fetched(logType, run.fetched.sum());
        metrics.duplicates(logType, run.duplicates.sum());
        metrics.additionalFields(logType, run.additionalFields.sum());
        if (failure == null) {
            LOG.info(summary);
            metrics.runFinished(logType, true);
            return true;
        }
        Throwable cause = cause(failure);
        try {
            run.failed(cause);
        } catch (RuntimeException e) {
            LOG.warn("{}: after the failure: {}", logType, e.toString());
        }
        if (notLicensed(cause)) {
            // not a failure of the connector: the account or API application lacks this product
            if (warnedNotLicensed.add(logType)) {
                LOG.warn("{}: Mimecast refused access (HTTP 403): the account is not licensed for this log type or the "
                        + "API application lacks its permission. Other log types go on; remove '{}' from "
                        + "MIMECAST_LOG_TYPES to silence this. ({})", logType, logType, describe(cause));
            }
            metrics.runFinished(logType, true);
            return true;
        }
        LOG.error("{}; checkpoint not moved past undelivered events: {}", summary, describe(cause));
        metrics.runFinished(logType, false);
        return false;
    }

    /**
     * The readiness check of the runs: fails naming every enabled log type that made no progress (a run ended
     * without failure, a checkpoint committed, a batch delivered) while READINESS_STALL_PERIODS of its scheduled runs
     * came and went, counted from the start when it made none yet. Such a log type is stuck (a run that hangs, or
     * that fails every time).
     */
    public void requireProgress(Instant started, Instant now) throws ConnectorHealthCheck.Degraded {
        if (camelContext == null || settings.runOnce) {
            return;
        }
        List<String> stalled = new java.util.ArrayList<>();
        java.util.Set<String> accounts = new java.util.TreeSet<>();
        java.util.Set<String> stalledAccounts = new java.util.TreeSet<>();
        for (String logType : enabledLogTypes()) {
            org.apache.camel.ServiceStatus status = camelContext.getRouteController().getRouteStatus(logType);
            if (status == null || !status.isStarted()) {
                continue;
            }
            accounts.add(account(logType));
            Instant last = metrics.lastProgress(logType);
            Instant since = last != null ? last : started;
            if (now.isAfter(afterRuns(schedule(logType), since, settings.stallPeriods))) {
                stalledAccounts.add(account(logType));
                stalled.add(logType + " (nothing completed, committed or delivered since " + since + ", while "
                        + settings.stallPeriods + " scheduled runs came and went)");
            }
        }
        if (stalled.isEmpty()) {
            return;
        }
        if (stalledAccounts.containsAll(accounts)) {
            throw new IllegalStateException("stalled: " + String.join("; ", stalled));
        }
        // some accounts fail, others run: say which, and stay ready for the others
        throw new ConnectorHealthCheck.Degraded("stalled: " + String.join("; ", stalled) + "; the other accounts' log "
                + "types make progress");
    }

    private static String account(String logType) {
        return com.mimecastsentinel.source.MimecastAccount.accountOf(logType);
    }

    /** The cron a log type's route runs on: a declared account's from its route, else the settings'. */
    private String schedule(String logType) {
        String cron = crons.get(logType);
        return cron != null ? cron : settings.scheduleFor(logType);
    }

    /**
     * When the runs a Quartz cron schedules after {@code since} have all had their time: the schedule's
     * {@code runs + 1}st time after it (a weekday schedule gives no run a weekend to go stale in).
     */
    static Instant afterRuns(String cron, Instant since, int runs) {
        try {
            org.quartz.CronExpression expression = new org.quartz.CronExpression(cron);
            expression.setTimeZone(java.util.TimeZone.getTimeZone("UTC"));
            java.util.Date at = java.util.Date.from(since);
            for (int i = 0; i <= runs && at != null; i++) {
                at = expression.getNextValidTimeAfter(at);
            }
            return at == null ? Instant.MAX : at.toInstant();
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e); // validated at start-up
        }
    }

    private void ranOnce(String logType, boolean ok) {
        if (finished.putIfAbsent(logType, ok) != null || camelContext == null) {
            return;
        }
        CamelContext context = camelContext;
        List<String> enabled = enabledLogTypes();
        if (finished.keySet().containsAll(enabled) && stopping.compareAndSet(false, true)) {
            long failed = finished.values().stream().filter(success -> !success).count();
            EXIT_CODE.set(failed == 0 ? 0 : 1);
            LOG.info("RUN_ONCE finished: {} of {} log types succeeded", enabled.size() - failed, enabled.size());
            stopper.submit(() -> {
                try {
                    context.stop();
                } catch (RuntimeException e) {
                    LOG.warn("stopping Camel: {}", e.toString());
                }
            });
        } else {
            stopper.submit(() -> {
                try {
                    if (!stopping.get()) {
                        context.getRouteController().stopRoute(logType); // its cron does not start another run
                    }
                } catch (Exception e) {
                    LOG.debug("{}: stopping its route: {}", logType, e.toString());
                }
            });
        }
    }

    private static boolean notLicensed(Throwable cause) {
        return cause instanceof HttpOperationFailedException http && http.getStatusCode() == 403;
    }

    /** The failure that says what went wrong, not Camel's wrapping of it. */
    static Throwable cause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause
                && cause.getClass().getName().startsWith("org.apache.camel")
                && !(cause instanceof HttpOperationFailedException)) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The path of a failed call's URI (a file URL's is cut at 1024 characters: then what is left of it). */
    private static String pathOf(String uri) {
        try {
            String path = java.net.URI.create(uri).getPath();
            return path == null ? uri : path;
        } catch (IllegalArgumentException notWhole) {
            return uri;
        }
    }

    /** A failure in a few words: for a Mimecast answer, its path, status and what it said. */
    static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown error";
        }
        Throwable cause = cause(failure);
        if (cause instanceof HttpOperationFailedException http) {
            String path = pathOf(http.getUri());
            if (http.getStatusCode() == 418) {
                return "Mimecast API 1.0 access key binding expired (HTTP 418) on " + path
                        + ": an administrator must bind the access and secret keys again";
            }
            String body = http.getResponseBody() == null ? "" : http.getResponseBody().replaceAll("\\s+", " ");
            return "Mimecast " + path + " answered HTTP " + http.getStatusCode()
                    + (body.isEmpty() ? "" : ": " + (body.length() > 300 ? body.substring(0, 300) + "…" : body));
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
