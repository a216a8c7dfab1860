package com.mimecastsentinel.source;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.concurrent.atomic.AtomicBoolean;

import com.mimecastsentinel.ConnectorServices;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.checkpoint.CheckpointRepository;
import com.mimecastsentinel.config.ConfigurationException;
import com.mimecastsentinel.run.Run;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a log type asks Mimecast for, declared as a bean in its route file ({@code <logType>-source}) and driven by
 * the source template's steps: whether this instance leaves the log type alone ({@link #skips}), the run planned
 * from the checkpoint ({@link #begin}), then per request what to ask and what the answer holds, and where the
 * checkpoint moves once a batch is delivered. The loop goes on while the exchange variable {@value #MORE} is true.
 * Subclasses are the shapes of the API: paged endpoints, SIEM batch listings, API 1.0 SIEM files, threat feeds.
 */
public abstract class MimecastSource implements CamelContextAware {
    private static final Logger LOG = LoggerFactory.getLogger(MimecastSource.class);
    public static final String MORE = "more";
    /** The path and query the next Mimecast call goes to, and its method: read by the Mimecast routes. */
    public static final String PATH = "mimecastPath";
    public static final String QUERY = "mimecastQuery";
    public static final String METHOD = "mimecastMethod";
    private static final Duration SKEW_TOLERANCE = Duration.ofMinutes(2);

    private CamelContext camelContext;
    private ConnectorServices services;
    private final AtomicBoolean warnedApi = new AtomicBoolean();

    protected Duration retention = Duration.ofDays(60);
    private String api = "any";

    /**
     * True when this instance leaves the log type alone: it needs the other API generation's credentials. (Which
     * instance runs a log type is the route's leadership policy's business: a follower's route does not run.)
     */
    public boolean skips(Exchange exchange) {
        return !apiMatches(logType(exchange));
    }

    /** Plans the run from the checkpoint {@code checkpoints.load} put in the exchange. */
    public void begin(Exchange exchange) {
        String logType = logType(exchange);
        Checkpoint checkpoint = exchange.getVariable(CheckpointRepository.VARIABLE, Checkpoint.class);
        if (checkpoint == null) {
            throw new IllegalStateException(logType + ": load the checkpoint before the source begins");
        }
        SourceRun run = new SourceRun(logType, checkpoint);
        exchange.setVariable(Run.VARIABLE, run);
        // Quartz's header: when the schedule runs this log type next (a snapshot must not wait past its interval)
        Date next = exchange.getMessage().getHeader("nextFireTime", Date.class);
        run.nextScheduledRun = next == null ? null : next.toInstant();
        if (services().settings().backfill()) {
            run.until = backfillEnd(logType);
            run.keepUntil = run.until;
        }
        exchange.setVariable(MORE, plan(run));
    }

    /** Plans the first request from the loaded checkpoint; false when there is nothing to do. */
    protected abstract boolean plan(SourceRun run);

    protected static String logType(Exchange exchange) {
        String logType = exchange.getVariable("logType", String.class);
        return logType != null ? logType : exchange.getFromRouteId();
    }

    protected static SourceRun run(Exchange exchange) {
        SourceRun run = exchange.getVariable(Run.VARIABLE, SourceRun.class);
        if (run == null) {
            throw new IllegalStateException("no run on the exchange: the source's begin step comes first");
        }
        return run;
    }

    /** The next Mimecast call: its path, method and query, for the Mimecast routes. */
    protected static void call(Exchange exchange, String method, String path, String query) {
        exchange.setVariable(METHOD, method);
        exchange.setVariable(PATH, path);
        exchange.setVariable(QUERY, query);
    }

    /** The longest page token taken (Mimecast's are some hundred characters; FileUrls bounds a URL the same). */
    static final int MAX_TOKEN_LENGTH = 8192;

    /**
     * An answer's next page token, or null: one longer than {@value #MAX_TOKEN_LENGTH} characters fails the run
     * before it goes into the checkpoint and the next call (where it would fail every run after).
     */
    protected static String pageToken(SourceRun run, String token) {
        if (token != null && token.length() > MAX_TOKEN_LENGTH) {
            throw new MimecastFailure(run.logType + ": Mimecast returned a page token of " + token.length()
                    + " characters, more than " + MAX_TOKEN_LENGTH + "; stopping before it goes into the checkpoint",
                    200);
        }
        return token;
    }

    /**
     * Sets whether the run goes on. On shutdown (SIGTERM) the run ends after the batch it is in, its checkpoint
     * committed: nothing in flight is cut in half.
     */
    protected void continueIf(Exchange exchange, boolean more) {
        SourceRun run = run(exchange);
        if (more && stopping()) {
            LOG.info("{}: shutting down: the run ends here, checkpoint committed; the next run resumes", run.logType);
            run.interrupted = true;
            more = false;
        }
        exchange.setVariable(MORE, more);
    }

    /** True when the connector is shutting down: the run ends after the batch it is in (a filter step). */
    public boolean stopping(Exchange exchange) {
        boolean stopping = stopping();
        if (stopping) {
            run(exchange).stopped = true;
        }
        return stopping;
    }

    protected boolean stopping() {
        return camelContext != null && (camelContext.isStopping() || camelContext.isStopped());
    }

    /**
     * Before a batch is handed on: sending it without leading the log type could duplicate what another instance
     * sends. Asked of the cluster service the leadership policy uses (the connector's leases, or one configured
     * instead).
     */
    protected void mustHoldLease(SourceRun run) {
        boolean leads = org.apache.camel.support.cluster.ClusterServiceHelper.lookupService(camelContext,
                        org.apache.camel.support.cluster.ClusterServiceSelectors.order())
                .map(cluster -> cluster.isLeader(run.logType)).orElse(true);
        if (!leads) {
            throw new IllegalStateException(run.logType + ": this instance no longer leads this log type (its lease "
                    + "lapsed); the run stops here");
        }
    }

    /**
     * Whether this log type can run with the configured API generation. One the user did not name in
     * MIMECAST_LOG_TYPES is passed over quietly (SIEM through API 1.0 and 2.0 are the same events); one they named
     * fails with the setting it needs. The demo serves every generation.
     */
    private boolean apiMatches(String logType) {
        var settings = services().settings();
        boolean api2 = settings.mimecastClientId != null;
        if (settings.demo || api == null || api.equals("any") || api.equals(api2 ? "2.0" : "1.0")) {
            return true;
        }
        if (settings.logTypes.contains(logType)) {
            throw new ConfigurationException(api.equals("2.0") ? "MIMECAST_CLIENT_ID" : "MIMECAST_APP_ID",
                    "is needed for log type " + logType + " (Mimecast API " + api + ")");
        }
        if (!warnedApi.getAndSet(true)) {
            LOG.info("{}: needs Mimecast API {} credentials; not run (name it in MIMECAST_LOG_TYPES to be told why)",
                    logType, api);
        }
        return false;
    }

    /**
     * A backfill reads up to BACKFILL_TO, but never past where the live checkpoint began: what the live connector
     * read is already delivered, so the two never send an event twice. Without a live checkpoint the live
     * connector could later read the same days again, so a backfill needs one.
     */
    private Instant backfillEnd(String logType) {
        var settings = services().settings();
        Instant to = settings.backfillTo.atStartOfDay(ZoneOffset.UTC).toInstant();
        Checkpoint live = services().checkpoints().readLive(logType).orElseThrow(() -> new IllegalStateException(
                logType + ": no live checkpoint yet; start the connector first (or set START_DATE instead of a "
                        + "backfill), so that the backfill and the live connector do not read the same days"));
        if (live.startedFrom == null) {
            throw new ConfigurationException("BACKFILL_FROM", "cannot be used for " + logType
                    + " yet: its live checkpoint does not record where it began (an older checkpoint)");
        }
        if (live.startedFrom.isBefore(to)) {
            LOG.info("{}: the live connector began at {}: the backfill stops there instead of at {}", logType,
                    live.startedFrom, to);
            return live.startedFrom;
        }
        return to;
    }

    /**
     * The next time window after {@code completedUntil} (minus the overlap, for events Mimecast indexes late), or
     * from START_DATE (else as far back as the API keeps) when nothing was read yet; at most MIMECAST_MAX_WINDOW
     * long when {@code cap}. Sets it on the run; false when there is nothing to ask for. A position ahead of this
     * clock (written by a skewed one) is replaced by the newest delivered event.
     */
    protected boolean nextWindow(SourceRun run, Instant completedUntil, Instant newestEvent, boolean cap) {
        var settings = services().settings();
        Instant now = services().clock().instant();
        Instant completed = completedUntil;
        if (completed != null && completed.isAfter(now.plus(SKEW_TOLERANCE))) {
            Instant newest = newestEvent == null || newestEvent.isAfter(now) ? now : newestEvent;
            LOG.warn("{}: the checkpoint ({}) is ahead of this machine's clock ({}); reading again from the newest "
                    + "delivered event ({}) so that nothing is skipped", run.logType, completed, now, newest);
            completed = newest;
        }
        Instant earliest = now.minus(retention);
        Instant start = completed != null ? completed.minus(settings.overlap) : firstStart();
        if (start.isBefore(earliest)) {
            start = earliest;
        }
        if (completed == null && run.checkpoint.startedFrom == null && neverRead(run.checkpoint)) {
            run.checkpoint.startedFrom = start; // where this checkpoint began: a backfill stops there
        }
        Instant until = run.until != null && run.until.isBefore(now) ? run.until : now;
        Instant capped = cap ? start.plus(settings.maxWindow) : until;
        Instant end = capped.isBefore(until) ? capped : until;
        if (!end.isAfter(start)) {
            return false; // clock skew or nothing new: never ask for a negative window
        }
        run.windowStart = start;
        run.windowEnd = end;
        run.windowCapped = capped.isBefore(until);
        run.pageToken = null;
        run.tokensSeen.clear(); // page tokens repeat across windows; only a repeat within one is a circle
        return true;
    }

    /** A checkpoint nothing was read into yet (a threat feed added later must not move the recorded start). */
    private static boolean neverRead(Checkpoint checkpoint) {
        return checkpoint.completedUntil == null && checkpoint.deliveredTotal == 0 && (checkpoint.feeds == null
                || checkpoint.feeds.values().stream().allMatch(feed -> feed.completedUntil == null));
    }

    /** Where reading begins without a checkpoint: BACKFILL_FROM, else START_DATE, else as far back as the API keeps. */
    protected Instant firstStart() {
        var settings = services().settings();
        Instant start = settings.backfill() ? settings.backfillFrom.atStartOfDay(ZoneOffset.UTC).toInstant()
                : settings.startDate;
        return start != null ? start : services().clock().instant().minus(retention);
    }

    protected ConnectorServices services() {
        if (services == null) {
            services = ConnectorServices.from(camelContext);
        }
        return services;
    }

    // ---- properties, from the route file ----

    /** How long Mimecast keeps this log type (ISO-8601): the first window starts no earlier. */
    public void setRetention(String retention) {
        this.retention = Duration.parse(retention);
    }

    /** The Mimecast API generation this log type needs: {@code 1.0}, {@code 2.0} or {@code any}. */
    public void setApi(String api) {
        this.api = api;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
