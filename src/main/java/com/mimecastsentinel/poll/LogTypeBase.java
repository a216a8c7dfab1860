package com.mimecastsentinel.poll;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.ConnectorServices;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.mimecast.MimecastClient;
import com.mimecastsentinel.mimecast.MimecastException;
import com.mimecastsentinel.sentinel.RowBatcher;
import com.mimecastsentinel.transform.RowMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every log type shares: its data (set from the route template's parameters), the row mapping, delivery in
 * batches with a checkpoint commit right after each acknowledgement, one run at a time, and the run summary.
 * Subclasses say how records are fetched and what the checkpoint's position is.
 */
public abstract class LogTypeBase implements CamelContextAware {
    private static final Logger LOG = LoggerFactory.getLogger(LogTypeBase.class);
    public static final String HANDLER = "mcHandler";
    static final String RUN = "mcRun";
    public static final String MORE = "mcMore";
    static final String OWNS_RUN = "mcOwnsRun";
    private static final Duration SKEW_TOLERANCE = Duration.ofMinutes(2);

    private CamelContext camelContext;
    private ConnectorServices services;
    private MimecastClient mimecast;
    private RowMapper mapper;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean warnedNotLicensed = new AtomicBoolean();
    private final AtomicBoolean warnedApi = new AtomicBoolean();
    private final AtomicBoolean standingBy = new AtomicBoolean();
    private String api = "any";
    private DeliveryLine deliveryLine;

    protected String logType;
    protected String stream;
    protected Duration retention = Duration.ofDays(60);
    private String timeField;
    private String idField;
    private List<String> keyFields = List.of();

    /** Loads the checkpoint and plans the run; {@value #MORE} says whether there is anything to fetch. */
    public void begin(Exchange exchange) {
        exchange.setProperty(HANDLER, this);
        if (!apiMatches()) {
            exchange.setProperty(MORE, false);
            exchange.setProperty("mcSkipped", true);
            return;
        }
        if (!services().leases().tryHold(logType)) {
            if (!standingBy.getAndSet(true)) {
                LOG.info("{}: another instance holds this log type's lease; standing by", logType);
            }
            exchange.setProperty(MORE, false);
            exchange.setProperty("mcSkipped", true);
            return;
        }
        standingBy.set(false);
        if (!running.compareAndSet(false, true)) {
            LOG.info("{}: previous run still in progress, skipping this trigger", logType);
            exchange.setProperty(MORE, false);
            exchange.setProperty("mcSkipped", true);
            return;
        }
        exchange.setProperty(OWNS_RUN, true); // only this exchange may let the next run in
        LogTypeRun run = new LogTypeRun();
        exchange.setProperty(RUN, run);
        run.checkpoint = services().checkpoints().load(logType);
        if (services().settings().backfill()) {
            run.until = backfillEnd();
        }
        exchange.setProperty(MORE, plan(run));
    }

    /**
     * A backfill reads up to BACKFILL_TO, but never past where the live checkpoint began: what the live connector
     * read is already delivered, so the two never send an event twice. Without a live checkpoint the live
     * connector could later read the same days again, so a backfill needs one.
     */
    private Instant backfillEnd() {
        var settings = services().settings();
        Instant to = settings.backfillTo.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        Checkpoint live = services().checkpoints().readLive(logType).orElseThrow(() -> new IllegalStateException(
                logType + ": no live checkpoint yet; start the connector first (or set START_DATE instead of a "
                        + "backfill), so that the backfill and the live connector do not read the same days"));
        if (live.startedFrom == null) {
            // written before checkpoints recorded their start: where the live connector's delivered days begin
            // is unknown, so any range could send them again
            throw new com.mimecastsentinel.config.ConfigurationException("BACKFILL_FROM", "cannot be used for "
                    + logType + " yet: its live checkpoint does not record where it began (an older checkpoint)");
        }
        if (live.startedFrom.isBefore(to)) {
            LOG.info("{}: the live connector began at {}: the backfill stops there instead of at {}", logType,
                    live.startedFrom, to);
            return live.startedFrom;
        }
        return to;
    }

    /**
     * Whether this log type can run with the configured API generation. One the user did not name in
     * MIMECAST_LOG_TYPES is passed over quietly (SIEM through API 1.0 and 2.0 are the same events); one they named
     * fails with the setting it needs. The demo serves every generation.
     */
    private boolean apiMatches() {
        var settings = services().settings();
        boolean api2 = settings.mimecastClientId != null;
        if (settings.demo || api == null || api.equals("any") || api.equals(api2 ? "2.0" : "1.0")) {
            return true;
        }
        if (settings.logTypes.contains(logType)) {
            throw new com.mimecastsentinel.config.ConfigurationException(api.equals("2.0") ? "MIMECAST_CLIENT_ID"
                    : "MIMECAST_APP_ID", "is needed for log type " + logType + " (Mimecast API " + api + ")");
        }
        if (!warnedApi.getAndSet(true)) {
            LOG.info("{}: needs Mimecast API {} credentials; not run (name it in MIMECAST_LOG_TYPES to be told why)",
                    logType, api);
        }
        return false;
    }

    /**
     * Sets whether the run goes on with another page. On shutdown (SIGTERM) the run ends after the page it is in,
     * its checkpoint committed: nothing in flight is cut in half.
     */
    protected void continueIf(Exchange exchange, boolean more) {
        if (more && stopping()) {
            LOG.info("{}: shutting down: the run ends here, checkpoint committed; the next run resumes", logType);
            exchange.setProperty("mcInterrupted", true);
            more = false;
        }
        exchange.setProperty(MORE, more);
    }

    protected boolean stopping() {
        return camelContext != null && (camelContext.isStopping() || camelContext.isStopped());
    }

    /**
     * The next time window after {@code completedUntil} (minus the overlap, for events Mimecast indexes late),
     * or from START_DATE (else as far back as the API keeps) when nothing was read yet; at most
     * MIMECAST_MAX_WINDOW long when {@code cap}. Sets it on the run; false when there is nothing to ask for.
     * A position ahead of this clock (written by a skewed one) is replaced by the newest delivered event.
     */
    protected boolean nextWindow(LogTypeRun run, Instant completedUntil, Instant newestEvent, boolean cap) {
        var settings = services().settings();
        Instant now = services().clock().instant();
        Instant completed = completedUntil;
        if (completed != null && completed.isAfter(now.plus(SKEW_TOLERANCE))) {
            Instant newest = newestEvent == null || newestEvent.isAfter(now) ? now : newestEvent;
            LOG.warn("{}: the checkpoint ({}) is ahead of this machine's clock ({}); reading again from the newest "
                    + "delivered event ({}) so that nothing is skipped", logType, completed, now, newest);
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
        java.time.LocalDate day = settings.backfill() ? settings.backfillFrom : settings.startDate;
        return day != null ? day.atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
                : services().clock().instant().minus(retention);
    }

    /** Plans the first fetch from the loaded checkpoint; false when there is nothing to do. */
    protected abstract boolean plan(LogTypeRun run);

    /**
     * What the checkpoint's position becomes once a batch in the middle of a page or file is acknowledged, its last
     * row from {@code position} of the source. Read here, on the route; applied when that batch is committed, on
     * the delivery thread (the route may be reading the next page or file by then).
     */
    protected abstract Runnable positionAfter(LogTypeRun run, long position);

    /**
     * Whether this run delivers the row: not when already delivered (or twice in what was read), or outside the
     * run's days (both counted). A new row's id is pending from now on, until its batch is acknowledged.
     */
    boolean isNew(LogTypeRun run, RowMapper.Row row) {
        if (!wanted(run, row.eventTime())) {
            run.skipped.increment();
            return false;
        }
        if (!services().dedupe().add(logType, row.eventId(), row.eventTime().getEpochSecond())) {
            run.duplicates++;
            return false;
        }
        return true;
    }

    /** One record to one row, with its id and event time. */
    protected RowMapper.Row map(ObjectNode record) {
        if (mapper == null) {
            throw new IllegalStateException(logType + ": the route template needs timeField and idField or keyFields");
        }
        RowMapper.Row row = mapper.map(record);
        enrich(row.fields(), record);
        return row;
    }

    /** Adds columns a log type needs beyond the record's own fields. */
    protected void enrich(ObjectNode row, ObjectNode record) {
    }

    /** False for rows a run must not deliver: at or after a backfill's end (subclasses add a start). */
    protected boolean wanted(LogTypeRun run, Instant eventTime) {
        return run.until == null || eventTime.isBefore(run.until);
    }

    /** The page's records (the body) as the batches to send, made while they are sent. */
    public java.util.Iterator<RowBatcher.Batch> batches(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<ObjectNode> records = exchange.getMessage().getBody(List.class);
        return newBatches(run(exchange), NewBatches.Rows.of(records.iterator(), this::map));
    }

    java.util.Iterator<RowBatcher.Batch> newBatches(LogTypeRun run, NewBatches.Rows rows) {
        return new NewBatches(this, run, rows, cutter());
    }

    /**
     * A writer of rows straight from JSON text, with the same id and time rule as {@link #map}, reading also the
     * fields {@code alsoRead} for the extra {@code columns} (one writer per thread).
     */
    protected com.mimecastsentinel.transform.RowWriter rowWriter(java.util.Set<String> alsoRead,
            java.util.Set<String> columnNames,
            java.util.function.Function<ObjectNode, Map<String, String>> columns) {
        return new com.mimecastsentinel.transform.RowWriter(services().json(), timeField, idField, keyFields,
                alsoRead, columnNames, columns, java.time.Clock.systemUTC());
    }

    /** How rows are cut into requests for this log type's destination. */
    protected RowBatcher.Cutter cutter() {
        return services().batcher().cutter();
    }

    /** A row Log Analytics cannot hold whole: dead-lettered, and handled from then on. */
    void unfit(LogTypeRun run, com.mimecastsentinel.sentinel.EventSink.Rejected unfit) {
        deadLetter(run, unfit.row(), unfit.reason());
        services().dedupe().delivered(logType, List.of(idOf(unfit.row())));
    }

    private void deadLetter(LogTypeRun run, ObjectNode row, String reason) {
        run.skipped.increment();
        services().deadLetters().put(logType, reason, idOf(row), row.toString());
    }

    /**
     * Hands one batch to the log type's {@link DeliveryLine}: it is sent, and committed once acknowledged, while
     * the route makes the next one. A failure of the batch before stops the run here.
     */
    public void deliver(Exchange exchange) {
        LogTypeRun run = run(exchange);
        RowBatcher.Batch batch = exchange.getMessage().getBody(RowBatcher.Batch.class);
        boolean lastOfItsPage = exchange.getProperty(Exchange.SPLIT_COMPLETE, false, Boolean.class);
        if (!services().leases().holds(logType)) {
            // another instance may have taken over: sending on would duplicate what it sends
            throw new IllegalStateException(logType + ": this instance lost the lease; the run stops here");
        }
        // what the commit needs of the batch, so that its rows are let go once sent
        int rows = batch.size();
        long bytes = batch.bytes();
        Instant newest = batch.newestEvent();
        Runnable position = lastOfItsPage ? null : positionAfter(run, batch.position());
        deliveryLine().send(run, () -> {
            send(run, batch);
            sent(batch);
        }, () -> acknowledged(run, rows, bytes, newest, position));
    }

    /**
     * On the delivery thread, after the sink accepted a batch: counted, and committed at once with its position
     * unless it is the last of its page or file (committed with the next position by the subclass).
     */
    private void acknowledged(LogTypeRun run, int rows, long bytes, Instant newest, Runnable position) {
        if (newest != null && (run.newestSinceCommit == null || newest.isAfter(run.newestSinceCommit))) {
            run.newestSinceCommit = newest;
        }
        run.deliveredSinceCommit += rows;
        run.delivered += rows;
        services().metrics().delivered(logType, rows, bytes, run.newestSinceCommit);
        if (position != null) {
            position.run();
            commit(run);
        }
    }

    /** Runs {@code work} on the delivery thread, after everything delivered before it succeeded. */
    protected void afterDelivery(LogTypeRun run, Runnable work) {
        deliveryLine().afterAcknowledged(run, work);
    }

    /**
     * Waits until every batch handed over is sent and committed; rethrows the first failure. Called before the
     * route touches the run's checkpoint itself (the end of a listing page, the end of the run).
     */
    protected void awaitDelivery(LogTypeRun run) {
        if (deliveryLine != null) {
            deliveryLine.await(run);
        }
    }

    private synchronized DeliveryLine deliveryLine() {
        if (deliveryLine == null) {
            deliveryLine = new DeliveryLine(camelContext, this, logType);
        }
        return deliveryLine;
    }

    /**
     * Sends a batch (on the delivery thread): all its rows are handled once this returns, or it throws. Rows the
     * destination refused for their content are dead-lettered with its answer, and not sent again.
     */
    protected void send(LogTypeRun run, List<ObjectNode> batch) {
        for (var rejected : services().sink().send(stream, batch)) {
            deadLetter(run, rejected.row(), "refused by the destination: " + rejected.reason());
        }
    }

    /** After a batch was sent: its ids are delivered, persisted with the next commit (where ids are kept). */
    private void sent(List<ObjectNode> batch) {
        if (keepsDeliveredIds()) {
            List<String> ids = new ArrayList<>(batch.size());
            for (ObjectNode row : batch) {
                ids.add(idOf(row));
            }
            services().dedupe().delivered(logType, ids);
        }
    }

    /** The stable id of a row as the sink received it. */
    protected String idOf(ObjectNode row) {
        return row.get(RowMapper.EVENT_ID).asText();
    }

    /** Always runs last: logs the run summary and lets the next trigger in. */
    public void end(Exchange exchange) {
        if (exchange.getProperty("mcSkipped", false, Boolean.class)) {
            return;
        }
        LogTypeRun run = exchange.getProperty(RUN, LogTypeRun.class);
        Exception failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        try {
            if (run != null) {
                try {
                    awaitDelivery(run); // a run that stopped early still waits for the batch it sent
                } catch (RuntimeException inFlight) {
                    if (failure == null) {
                        failure = inFlight;
                    } else {
                        LOG.debug("{}: the batch in flight failed too: {}", logType, inFlight.toString());
                    }
                }
            }
            if (run == null) {
                LOG.error("{}: run failed before it started: {}", logType, describe(failure));
                exchange.setProperty("mcFailed", describe(failure));
                services().metrics().runFinished(logType, false);
                return;
            }
            long millis = Duration.between(run.started, Instant.now()).toMillis();
            String summary = String.format("%s: %s window=%s pages=%d files=%d fetched=%d delivered=%d "
                    + "duplicates=%d skipped=%d duration=%dms checkpoint=%s", logType,
                    failure == null ? "run complete" : "run FAILED", run.windowStart == null ? "-"
                            : run.windowStart + ".." + run.windowEnd, run.pages, run.files, run.fetched,
                    run.delivered, run.duplicates, run.skipped.sum(), millis, describePosition(run.checkpoint));
            services().metrics().fetched(logType, run.fetched);
            services().metrics().duplicates(logType, run.duplicates);
            if (failure == null) {
                LOG.info(summary);
            } else if (notLicensed(failure)) {
                // not a failure of the connector: the account or API application lacks this product
                if (!warnedNotLicensed.getAndSet(true)) {
                    LOG.warn("{}: Mimecast refused access (HTTP 403): the account is not licensed for this log "
                            + "type or the API application lacks its permission. Other log types go on; remove "
                            + "'{}' from MIMECAST_LOG_TYPES to silence this. ({})", logType, logType, describe(failure));
                }
            } else {
                LOG.error("{}; checkpoint not moved past undelivered events: {}", summary, describe(failure));
                exchange.setProperty("mcFailed", describe(failure));
            }
            services().metrics().runFinished(logType, failure == null);
        } finally {
            if (exchange.getProperty(OWNS_RUN, false, Boolean.class)) {
                running.set(false);
            }
        }
    }

    private static boolean notLicensed(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof MimecastException m) {
                return m.status() == 403 && !m.retryable();
            }
        }
        return false;
    }

    /** The checkpoint's position, for the run summary. */
    protected abstract String describePosition(Checkpoint checkpoint);

    /** Commits the checkpoint with the ids delivered since the last commit. */
    protected void commit(LogTypeRun run) {
        Checkpoint checkpoint = run.checkpoint;
        checkpoint.deliveredTotal += run.deliveredSinceCommit;
        run.deliveredSinceCommit = 0;
        if (run.newestSinceCommit != null && (checkpoint.newestEventTime == null
                || run.newestSinceCommit.isAfter(checkpoint.newestEventTime))) {
            checkpoint.newestEventTime = run.newestSinceCommit;
        }
        services().checkpoints().commit(checkpoint, keepsDeliveredIds() || run.keepLoadedIds);
    }

    /**
     * Whether the ids delivered must be kept in the checkpoint: they must where a position is a time window that
     * the next run reads again in part; a batch log type's position (a line of an immutable file) says it alone.
     */
    protected boolean keepsDeliveredIds() {
        return true;
    }

    protected static LogTypeRun run(Exchange exchange) {
        return exchange.getProperty(RUN, LogTypeRun.class);
    }

    private static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown error";
        }
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause
                && cause.getClass().getName().startsWith("org.apache.camel")) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** The Mimecast client, naming this log type in its rate-limit counts. */
    protected MimecastClient mimecast() {
        if (mimecast == null) {
            mimecast = services().mimecast().forCaller(logType);
        }
        return mimecast;
    }

    protected ConnectorServices services() {
        if (services == null) {
            services = ConnectorServices.from(camelContext);
        }
        return services;
    }

    // ---- properties set from the template's parameters ----

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    public String getLogType() {
        return logType;
    }

    public void setLogType(String logType) {
        this.logType = logType;
    }

    public String getStream() {
        return stream;
    }

    public void setStream(String stream) {
        this.stream = stream;
    }

    /** The Mimecast API generation this log type needs: {@code 1.0}, {@code 2.0} or {@code any}. */
    public void setApi(String api) {
        this.api = api;
    }

    public void setRetention(String retention) {
        this.retention = Duration.parse(retention);
    }

    public void setTimeField(String timeField) {
        this.timeField = timeField;
        rebuildMapper();
    }

    public void setIdField(String idField) {
        this.idField = idField == null || idField.isBlank() ? null : idField.trim();
        rebuildMapper();
    }

    public void setKeyFields(String keyFields) {
        this.keyFields = keyFields == null || keyFields.isBlank() ? List.of()
                : Arrays.stream(keyFields.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        rebuildMapper();
    }

    /** {@code key=value} pairs, comma separated, as YAML properties write small maps. */
    protected static Map<String, String> pairs(String text) {
        Map<String, String> map = new HashMap<>();
        for (String pair : text.split(",")) {
            String[] parts = pair.split("=", 2);
            if (parts.length == 2) {
                map.put(parts[0].trim(), parts[1].trim());
            }
        }
        return Map.copyOf(map);
    }

    private void rebuildMapper() {
        if (timeField != null && (idField != null || !keyFields.isEmpty())) {
            mapper = new RowMapper(timeField, idField, keyFields, java.time.Clock.systemUTC());
        }
    }
}
