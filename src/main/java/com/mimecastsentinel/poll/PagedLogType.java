package com.mimecastsentinel.poll;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.ConnectorServices;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.checkpoint.DedupeRepository;
import com.mimecastsentinel.mimecast.MimecastException;
import com.mimecastsentinel.transform.EventTimes;
import com.mimecastsentinel.transform.RowMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One paged Mimecast log type (audit, DLP, TTP …), as declared by a {@code templatedRoute} of the
 * {@code mimecast-paged} template: the template's parameters are this bean's properties, and the route's steps
 * call its methods. Everything that differs between log types is data set here; the behaviour is shared.
 *
 * <p>A run walks time windows from the checkpoint (minus the overlap, for events Mimecast indexes late) to now,
 * at most {@code MIMECAST_MAX_WINDOW} each, page by page. Each page's rows are delivered in batches and the
 * checkpoint is committed right after each acknowledgement.
 */
public class PagedLogType implements CamelContextAware {
    private static final Logger LOG = LoggerFactory.getLogger(PagedLogType.class);
    static final String RUN = "mcRun";
    public static final String MORE = "mcMore";

    private CamelContext camelContext;
    private ConnectorServices services;
    private RowMapper mapper;
    private final AtomicBoolean running = new AtomicBoolean();

    private String logType;
    private String path;
    private String recordsAt = "/data";
    private String timeField;
    private String idField;
    private List<String> keyFields = List.of();
    private String startFilter;
    private String endFilter;
    private ObjectNode extraFilters;
    private String stream;
    private Duration retention = Duration.ofDays(60);

    /** State of one run, kept on the exchange. */
    static final class Run {
        final Instant started = Instant.now();
        Checkpoint checkpoint;
        Instant windowStart;
        Instant windowEnd;
        boolean windowCapped;
        String pageToken;
        boolean resumedToken;
        String nextToken;
        int pages;
        long fetched;
        long duplicates;
        long delivered;
        long deliveredInPage;
        Instant newestInPage;
    }

    // ---- route steps ----

    /** Loads the checkpoint and plans the first window; sets {@value #MORE} to false when there is nothing to do. */
    public void begin(Exchange exchange) {
        exchange.setProperty(DedupeRepository.LOG_TYPE, logType);
        if (!running.compareAndSet(false, true)) {
            LOG.info("{}: previous run still in progress, skipping this trigger", logType);
            exchange.setProperty(MORE, false);
            exchange.setProperty("mcSkipped", true);
            return;
        }
        Run run = new Run();
        exchange.setProperty(RUN, run);
        run.checkpoint = services().checkpoints().load(logType);
        exchange.setProperty(MORE, planWindow(run));
    }

    /** Fetches one page of the current window: the body becomes its records. */
    public void fetchPage(Exchange exchange) {
        Run run = run(exchange);
        JsonNode response;
        try {
            response = services().mimecast().post(path, request(run));
        } catch (MimecastException e) {
            if (!run.resumedToken || e.retryable()) {
                throw e;
            }
            // a stored page token can expire: page through the window again; dedupe drops what was delivered
            LOG.warn("{}: Mimecast refused the stored page token ({}); restarting window {} .. {}", logType,
                    e.getMessage(), run.windowStart, run.windowEnd);
            run.pageToken = null;
            run.resumedToken = false;
            response = services().mimecast().post(path, request(run));
        }
        run.resumedToken = false;
        JsonNode records = response.at(JsonPointer.compile(recordsAt));
        List<ObjectNode> page = new ArrayList<>(records.size());
        for (JsonNode record : records) {
            if (record.isObject()) {
                page.add((ObjectNode) record);
            }
        }
        String next = response.path("meta").path("pagination").path("next").asText(null);
        run.nextToken = page.isEmpty() || next == null || next.isEmpty() ? null : next;
        run.pages++;
        run.fetched += page.size();
        run.deliveredInPage = 0;
        run.newestInPage = null;
        exchange.getMessage().setBody(page);
    }

    /** One record to one row; the id and event time go to headers for the idempotent consumer. */
    public ObjectNode toRow(Exchange exchange) {
        if (mapper == null) {
            throw new IllegalStateException(logType + ": the route template needs timeField and idField or keyFields");
        }
        RowMapper.Row row = mapper.map(exchange.getMessage().getBody(ObjectNode.class));
        exchange.getMessage().setHeader(RowMapper.EVENT_ID, row.eventId());
        exchange.getMessage().setHeader(DedupeRepository.EVENT_TIME_HEADER, row.eventTime().toEpochMilli());
        return row.fields();
    }

    /** The page's new rows cut into batches of at most one ingestion request each. */
    public List<List<ObjectNode>> batches(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<ObjectNode> rows = exchange.getMessage().getBody(List.class);
        return services().batcher().batches(rows);
    }

    /**
     * Sends one batch and, once the sink accepted it, records its ids as delivered. A batch that is not the page's
     * last is committed at once (position unchanged, ids added); the last one is committed by {@link #pageDone}.
     */
    public void deliver(Exchange exchange) {
        Run run = run(exchange);
        @SuppressWarnings("unchecked")
        List<ObjectNode> batch = exchange.getMessage().getBody(List.class);
        services().sink().send(stream, batch);
        List<String> ids = new ArrayList<>(batch.size());
        for (ObjectNode row : batch) {
            ids.add(row.get(RowMapper.EVENT_ID).asText());
            EventTimes.parse(row.get(RowMapper.TIME_GENERATED)).ifPresent(t -> {
                if (run.newestInPage == null || t.isAfter(run.newestInPage)) {
                    run.newestInPage = t;
                }
            });
        }
        services().dedupe().delivered(logType, ids);
        run.deliveredInPage += batch.size();
        run.delivered += batch.size();
        services().metrics().delivered(logType, batch.size());
        if (!exchange.getProperty(Exchange.SPLIT_COMPLETE, false, Boolean.class)) {
            commit(run, new Checkpoint.Window(run.windowStart, run.windowEnd, run.pageToken));
        }
    }

    /** After a page: commit the next position and decide whether to fetch more. */
    public void pageDone(Exchange exchange) {
        Run run = run(exchange);
        boolean more;
        if (run.nextToken != null) {
            commit(run, new Checkpoint.Window(run.windowStart, run.windowEnd, run.nextToken));
            run.pageToken = run.nextToken;
            more = true;
        } else {
            run.checkpoint.completedUntil = run.windowEnd;
            commit(run, null);
            // a window cut short by MIMECAST_MAX_WINDOW means we are catching up: go on to the next one
            more = run.windowCapped && planWindow(run);
        }
        exchange.setProperty(MORE, more);
    }

    /** Always runs last: logs the run summary and lets the next trigger in. */
    public void end(Exchange exchange) {
        if (exchange.getProperty("mcSkipped", false, Boolean.class)) {
            return;
        }
        Run run = exchange.getProperty(RUN, Run.class);
        Exception failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        try {
            long millis = Duration.between(run == null ? Instant.now() : run.started, Instant.now()).toMillis();
            if (run == null) {
                LOG.error("{}: run failed before it started: {}", logType, describe(failure));
                services().metrics().runFinished(logType, false);
                return;
            }
            Checkpoint checkpoint = run.checkpoint;
            String position = checkpoint == null ? "none" : checkpoint.window != null
                    ? "window " + checkpoint.window.start + " .. " + checkpoint.window.end + " page "
                            + (checkpoint.window.pageToken == null ? "first" : "token")
                    : checkpoint.completedUntil == null ? "none yet"
                    : "completed until " + checkpoint.completedUntil;
            String summary = String.format("%s: %s pages=%d fetched=%d delivered=%d duplicates=%d duration=%dms "
                    + "checkpoint=%s", logType, failure == null ? "run complete" : "run FAILED", run.pages,
                    run.fetched, run.delivered, run.duplicates, millis, position);
            if (failure == null) {
                LOG.info(summary);
            } else {
                LOG.error("{}; checkpoint not moved past undelivered events: {}", summary, describe(failure));
                exchange.setProperty("mcFailed", describe(failure));
            }
            services().metrics().runFinished(logType, failure == null);
        } finally {
            running.set(false);
        }
    }

    // ---- internals ----

    private void commit(Run run, Checkpoint.Window window) {
        Checkpoint checkpoint = run.checkpoint;
        checkpoint.window = window;
        checkpoint.deliveredTotal += run.deliveredInPage;
        run.deliveredInPage = 0;
        if (run.newestInPage != null && (checkpoint.newestEventTime == null
                || run.newestInPage.isAfter(checkpoint.newestEventTime))) {
            checkpoint.newestEventTime = run.newestInPage;
        }
        services().checkpoints().commit(checkpoint);
    }

    /** Picks the next window; false when the log type is caught up (or the clock says there is nothing to ask). */
    private boolean planWindow(Run run) {
        Checkpoint checkpoint = run.checkpoint;
        Instant now = services().clock().instant();
        if (checkpoint.window != null && checkpoint.window.start != null && checkpoint.window.end != null) {
            run.windowStart = checkpoint.window.start;
            run.windowEnd = checkpoint.window.end;
            run.pageToken = checkpoint.window.pageToken;
            run.resumedToken = run.pageToken != null;
            run.windowCapped = run.windowEnd.isBefore(now.minus(services().settings().overlap));
            return true;
        }
        Instant earliest = now.minus(retention);
        Instant start = checkpoint.completedUntil != null
                ? checkpoint.completedUntil.minus(services().settings().overlap)
                : initialStart(now);
        if (start.isBefore(earliest)) {
            start = earliest;
        }
        Instant capped = start.plus(services().settings().maxWindow);
        Instant end = capped.isBefore(now) ? capped : now;
        if (!end.isAfter(start)) {
            return false; // clock skew or nothing new: never ask for a negative window
        }
        run.windowStart = start;
        run.windowEnd = end;
        run.windowCapped = capped.isBefore(now);
        run.pageToken = null;
        run.resumedToken = false;
        return true;
    }

    private Instant initialStart(Instant now) {
        if (services().settings().startDate != null) {
            return services().settings().startDate.atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        return now.minus(retention);
    }

    private JsonNode request(Run run) {
        ObjectNode body = services().json().createObjectNode();
        ObjectNode pagination = body.putObject("meta").putObject("pagination");
        pagination.put("pageSize", services().settings().pageSize);
        if (run.pageToken != null) {
            pagination.put("pageToken", run.pageToken);
        }
        ObjectNode filter = body.putArray("data").addObject();
        filter.put(startFilter, EventTimes.mimecastFormat(run.windowStart));
        filter.put(endFilter, EventTimes.mimecastFormat(run.windowEnd));
        if (extraFilters != null) {
            filter.setAll(extraFilters);
        }
        return body;
    }

    private static Run run(Exchange exchange) {
        return exchange.getProperty(RUN, Run.class);
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

    private ConnectorServices services() {
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

    public void setPath(String path) {
        this.path = path;
    }

    public void setRecordsAt(String recordsAt) {
        this.recordsAt = recordsAt;
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

    public void setStartFilter(String startFilter) {
        this.startFilter = startFilter;
    }

    public void setEndFilter(String endFilter) {
        this.endFilter = endFilter;
    }

    /** Extra request filters as a JSON object, e.g. {@code {"oldestFirst": true}}. */
    public void setExtraFilters(String extraFilters) {
        if (extraFilters == null || extraFilters.isBlank()) {
            this.extraFilters = null;
            return;
        }
        try {
            JsonNode parsed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(extraFilters);
            if (!parsed.isObject()) {
                throw new IllegalArgumentException("extraFilters must be a JSON object");
            }
            this.extraFilters = (ObjectNode) parsed;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("extraFilters is not valid JSON: " + e.getOriginalMessage());
        }
    }

    public String getStream() {
        return stream;
    }

    public void setStream(String stream) {
        this.stream = stream;
    }

    public void setRetention(String retention) {
        this.retention = Duration.parse(retention);
    }

    private void rebuildMapper() {
        if (timeField != null && (idField != null || !keyFields.isEmpty())) {
            mapper = new RowMapper(timeField, idField, keyFields, java.time.Clock.systemUTC());
        }
    }
}
