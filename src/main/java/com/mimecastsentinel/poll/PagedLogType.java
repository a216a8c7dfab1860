package com.mimecastsentinel.poll;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.mimecast.MimecastException;
import com.mimecastsentinel.transform.EventTimes;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One paged Mimecast log type (audit, DLP, TTP …), as declared by a {@code templatedRoute} of the
 * {@code mimecast-paged} template: the template's parameters are this bean's properties, and the route's steps
 * call its methods. Everything that differs between log types is data set here; the behaviour is shared.
 *
 * <p>A run walks time windows from the checkpoint (minus the overlap, for events Mimecast indexes late) to now,
 * at most {@code MIMECAST_MAX_WINDOW} each, page by page.
 */
public class PagedLogType extends LogTypeBase {
    private static final Logger LOG = LoggerFactory.getLogger(PagedLogType.class);

    private String path;
    private String recordsAt = "/data";
    private String startFilter;
    private String endFilter;
    private ObjectNode extraFilters;

    /** Fetches one page of the current window: the body becomes its records. */
    public void fetchPage(Exchange exchange) {
        LogTypeRun run = run(exchange);
        JsonNode response;
        try {
            response = mimecast().post(path, request(run));
        } catch (MimecastException e) {
            if (!run.resumedToken || e.retryable()) {
                throw e;
            }
            // a stored page token can expire: page through the window again; dedupe drops what was delivered
            LOG.warn("{}: Mimecast refused the stored page token ({}); restarting window {} .. {}", logType,
                    e.getMessage(), run.windowStart, run.windowEnd);
            run.pageToken = null;
            run.resumedToken = false;
            response = mimecast().post(path, request(run));
        }
        run.resumedToken = false;
        JsonNode records = response.at(JsonPointer.compile(recordsAt));
        if (!records.isArray() && !(records.isMissingNode() && response.path("data").isArray()
                && response.path("data").isEmpty())) {
            // a changed response shape must not read as "no more events" and move the checkpoint on
            throw new MimecastException(logType + ": the response has no record array at " + recordsAt, 200, false);
        }
        List<ObjectNode> page = new ArrayList<>(records.size());
        for (JsonNode record : records) {
            if (record.isObject()) {
                page.add((ObjectNode) record);
            }
        }
        String next = response.path("meta").path("pagination").path("next").asText(null);
        run.nextToken = page.isEmpty() || next == null || next.isEmpty() ? null : next;
        if (run.nextToken != null && !run.tokensSeen.add(run.nextToken)) {
            throw new MimecastException(logType + ": Mimecast returned a page token it returned before; stopping "
                    + "instead of paging in a circle", 200, true);
        }
        run.pages++;
        run.fetched += page.size();
        exchange.getMessage().setBody(page);
    }

    /** After a page: commit the next position and decide whether to fetch more. */
    public void pageDone(Exchange exchange) {
        LogTypeRun run = run(exchange);
        awaitDelivery(run);
        boolean more;
        if (run.nextToken != null) {
            run.checkpoint.window = new Checkpoint.Window(run.windowStart, run.windowEnd, run.nextToken);
            commit(run);
            run.pageToken = run.nextToken;
            more = true;
        } else {
            run.checkpoint.completedUntil = run.windowEnd;
            run.checkpoint.window = null;
            commit(run);
            // a window cut short by MIMECAST_MAX_WINDOW means we are catching up: go on to the next one
            more = run.windowCapped && plan(run);
        }
        continueIf(exchange, more);
    }

    @Override
    protected Runnable positionAfter(LogTypeRun run, long position) {
        Checkpoint.Window window = new Checkpoint.Window(run.windowStart, run.windowEnd, run.pageToken);
        return () -> run.checkpoint.window = window;
    }

    @Override
    protected String describePosition(Checkpoint checkpoint) {
        if (checkpoint == null) {
            return "none";
        }
        if (checkpoint.window != null) {
            return "window " + checkpoint.window.start + " .. " + checkpoint.window.end + " page "
                    + (checkpoint.window.pageToken == null ? "first" : "token");
        }
        return checkpoint.completedUntil == null ? "none yet" : "completed until " + checkpoint.completedUntil;
    }

    /** Picks the next window; false when the log type is caught up (or the clock says there is nothing to ask). */
    @Override
    protected boolean plan(LogTypeRun run) {
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
        run.resumedToken = false;
        return nextWindow(run, checkpoint.completedUntil, checkpoint.newestEventTime, true);
    }

    private JsonNode request(LogTypeRun run) {
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

    // ---- properties set from the template's parameters ----

    public void setPath(String path) {
        this.path = path;
    }

    public void setRecordsAt(String recordsAt) {
        this.recordsAt = recordsAt;
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
            JsonNode parsed = new ObjectMapper().readTree(extraFilters);
            if (!parsed.isObject()) {
                throw new IllegalArgumentException("extraFilters must be a JSON object");
            }
            this.extraFilters = (ObjectNode) parsed;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("extraFilters is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
