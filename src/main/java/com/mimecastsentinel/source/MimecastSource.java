package com.mimecastsentinel.source;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;

import com.mimecastsentinel.ConnectorServices;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.config.ConfigurationException;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a log type asks Mimecast for: the strategy behind the {@code mimecast} consumer ({@code source} option of a
 * {@code mimecast:<logType>} endpoint, a bean declared in the log type's route file). The consumer begins a run
 * ({@link #begin}: the checkpoint loaded, the first request planned), asks for batch after batch ({@link #next}, the
 * Mimecast calls each an exchange of its own) and hands each to the route as an exchange; once the route completed
 * one, {@link #delivered} moves the run's position past it and the consumer commits the checkpoint. Subclasses are
 * the shapes of the API: paged endpoints, SIEM batch listings, API 1.0 SIEM files, threat feeds, Awareness Training.
 */
public abstract class MimecastSource implements CamelContextAware {
    private static final Logger LOG = LoggerFactory.getLogger(MimecastSource.class);
    /** How far ahead of now a checkpoint may be before it is taken for a clock gone wrong. */
    public static final Duration SKEW_TOLERANCE = Duration.ofMinutes(2);

    private CamelContext camelContext;
    private ConnectorServices services;
    private final AtomicBoolean warnedApi = new AtomicBoolean();

    protected Duration retention = Duration.ofDays(60);
    private String api = "any";
    private String permission;

    /**
     * Begins a run of the log type: its checkpoint loaded and the first request planned. Null when this instance
     * leaves the log type alone (it needs the other API generation's credentials). Which instance runs a log type
     * is the route's leadership policy's business: a follower's route does not run.
     *
     * @param nextScheduledRun when the schedule runs this log type next (null when not known)
     */
    public SourceRun begin(String logType, MimecastAccount account, Instant nextScheduledRun) {
        if (passedOver(logType, account) != null) {
            return null;
        }
        // the run's state is the account's: a named account's checkpoint is under accounts/<name>/
        String key = account.qualify(logType);
        SourceRun run = new SourceRun(key, services().checkpoints().load(key));
        run.account = account;
        run.nextScheduledRun = nextScheduledRun;
        if (services().settings().backfill()) {
            run.until = backfillEnd(key);
            run.keepUntil = run.until;
        }
        run.more = plan(run);
        return run;
    }

    /**
     * The smallest request of this log type (the {@code check} command): its first call as a run makes it, from no
     * checkpoint, one record a page, over the last minute (a SIEM listing: from today). Nothing is read further and
     * nothing is written.
     */
    public MimecastRequest probe(String logType) {
        Instant now = services().clock().instant();
        SourceRun run = new SourceRun(logType, Checkpoint.initial(logType));
        run.probe = true;
        run.windowStart = now.minus(Duration.ofMinutes(1));
        run.windowEnd = now;
        run.checkpoint.startedFrom = now;
        return firstRequest(run);
    }

    /** The first call of a run planned from {@code run} (see {@link #probe}). */
    protected abstract MimecastRequest firstRequest(SourceRun run);

    /** A page's size: the configured one, or 1 for a probe. */
    protected static int pageSize(SourceRun run, int configured) {
        return run.probe ? 1 : configured;
    }

    /**
     * Why a run leaves the log type alone for this account (it is passed over quietly), or null when it runs. One
     * the account names (MIMECAST_LOG_TYPES, or its entry's logTypes) that cannot run throws instead, naming the
     * setting. The check command asks the same.
     */
    public String passedOver(String logType, MimecastAccount account) {
        return apiMatches(logType, account) ? null : "needs Mimecast API " + api + " credentials";
    }

    /** Plans the first request from the loaded checkpoint; false when there is nothing to do. */
    protected abstract boolean plan(SourceRun run);

    /**
     * The run's next batch, read from Mimecast through {@code calls}; null when the run has read all there is (or
     * is to end here).
     */
    public abstract Batch next(SourceRun run, MimecastCalls calls) throws Exception;

    /**
     * The route completed the batch's exchange (the sink acknowledged it): the run's position moves past it, ready
     * for the checkpoint commit that follows.
     */
    public abstract void delivered(SourceRun run, Batch batch, Exchange completed);

    /**
     * How many batches the consumer may hand over before the one in the route completed (0: one at a time). A
     * source whose next batch does not depend on where the last one left the checkpoint (file chunks) reads and
     * maps ahead; a page needs the token the page before moved to.
     */
    public int batchesAhead() {
        return 0;
    }

    /** The run ended (done, failed or cut short): what it holds open is closed. */
    public void end(SourceRun run) {
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

    /** True when the connector is shutting down: a run ends after the batch it is in. */
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
                .map(cluster -> cluster.isLeader(MimecastAccount.leadership(run.logType))).orElse(true);
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
    private boolean apiMatches(String logType, MimecastAccount account) {
        var settings = services().settings();
        if (runsWith(settings, account)) {
            return true;
        }
        if (account.names(logType)) {
            // a declared account that names a log type of the other generation: a mistake in its entry
            throw new ConfigurationException("MIMECAST_ACCOUNTS_FILE", "account " + account.name() + ": log type "
                    + logType + " needs Mimecast API " + api + " credentials");
        }
        if (account.name() != null) {
            return false; // every log type for an entry that names none: those of its generation run
        }
        if (settings.logTypes.contains(logType)) {
            throw new ConfigurationException(api.equals("2.0") ? "MIMECAST_CLIENT_ID" : "MIMECAST_APP_ID",
                    "is needed for log type " + logType + " (Mimecast API " + api + ": " + (api.equals("2.0")
                            ? "MIMECAST_CLIENT_ID and MIMECAST_CLIENT_SECRET" : "MIMECAST_APP_ID, MIMECAST_APP_KEY, "
                                    + "MIMECAST_ACCESS_KEY and MIMECAST_SECRET_KEY") + ")");
        }
        if (!warnedApi.getAndSet(true)) {
            LOG.info("{}: needs Mimecast API {} credentials; not run (name it in MIMECAST_LOG_TYPES to be told why)",
                    logType, api);
        }
        return false;
    }

    /** Whether the account's credentials are of the API generation this log type needs (the demo serves both). */
    private boolean runsWith(com.mimecastsentinel.config.Settings settings, MimecastAccount account) {
        return settings.demo || api == null || api.equals("any")
                || api.equals(account.auth().api2() ? "2.0" : "1.0");
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
        Instant start = completed != null ? completed.minus(settings.overlap) : firstStart(run);
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
    protected Instant firstStart(SourceRun run) {
        var settings = services().settings();
        Instant accountStart = run.account != null ? run.account.startDate() : null;
        Instant start = settings.backfill() ? settings.backfillFrom.atStartOfDay(ZoneOffset.UTC).toInstant()
                : accountStart != null ? accountStart : settings.startDate;
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

    /**
     * The Mimecast permission the log type's calls need, as the Administration Console names it (e.g.
     * {@code Account | Logs | Read}): what the check command tells to grant when Mimecast refuses one.
     */
    public void setPermission(String permission) {
        this.permission = permission;
    }

    public String getPermission() {
        return permission;
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
