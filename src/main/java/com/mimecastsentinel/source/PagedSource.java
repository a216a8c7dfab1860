package com.mimecastsentinel.source;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.transform.EventTimes;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A paged Mimecast endpoint ({@code POST /api/...} with {@code meta.pagination}: audit, DLP, TTP, archive search,
 * held release). A run walks time windows from the checkpoint (minus MIMECAST_OVERLAP, for events Mimecast indexes
 * late) to now, at most MIMECAST_MAX_WINDOW each, page by page; a page is one batch, and the checkpoint moves to the
 * next page token (or past the window) once it is delivered.
 */
public class PagedSource extends PageSource {
    private static final Logger LOG = LoggerFactory.getLogger(PagedSource.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    protected String path;
    protected String records = "/data";
    private String startFilter;
    private String endFilter;
    private ObjectNode filters;

    /** Picks the next window; false when the log type is caught up (or the clock says there is nothing to ask). */
    @Override
    protected boolean plan(SourceRun run) {
        Checkpoint checkpoint = run.checkpoint;
        Instant now = services().clock().instant();
        if (checkpoint.window != null && checkpoint.window.start != null && checkpoint.window.end != null) {
            run.windowStart = checkpoint.window.start;
            run.windowEnd = checkpoint.window.end;
            run.pageToken = checkpoint.window.pageToken;
            run.resumedToken = run.pageToken != null;
            run.windowCapped = run.windowEnd.isBefore(now.minus(services().settings().overlap));
            if (run.resumedToken) {
                run.onFailure = failure -> forgetStoredToken(run, failure);
            }
            return true;
        }
        run.resumedToken = false;
        return nextWindow(run, checkpoint.completedUntil, checkpoint.newestEventTime, true);
    }

    /** The request for the next page (window, page token, filters). */
    @Override
    protected MimecastRequest request(SourceRun run) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode pagination = body.putObject("meta").putObject("pagination");
        pagination.put("pageSize", pageSize(run, services().settings().pageSize));
        if (run.pageToken != null) {
            pagination.put("pageToken", run.pageToken);
        }
        ObjectNode filter = body.putArray("data").addObject();
        filter.put(startFilter, EventTimes.mimecastFormat(run.windowStart));
        filter.put(endFilter, EventTimes.mimecastFormat(run.windowEnd));
        if (filters != null) {
            filter.setAll(filters);
        }
        return MimecastRequest.post(path, body);
    }

    /** The page's records, from the answer; the next page token is noted. */
    @Override
    protected List<ObjectNode> records(SourceRun run, Exchange answer) {
        run.resumedToken = false;
        run.onFailure = null; // the stored token was taken
        return pageRecords(run, answer.getMessage().getBody(JsonNode.class), records);
    }

    /**
     * The records of a page at the JSON pointer {@code at}, the next page token ({@code meta.pagination.next})
     * noted on the run; fails on an answer without a record array there, and on a token that comes round again.
     */
    protected List<ObjectNode> pageRecords(SourceRun run, JsonNode answer, String at) {
        JsonNode found = answer.at(JsonPointer.compile(at));
        if (!found.isArray() && !(found.isMissingNode() && answer.path("data").isArray()
                && answer.path("data").isEmpty())) {
            // a changed response shape must not read as "no more events" and move the checkpoint on
            throw new MimecastFailure(run.logType + ": the response has no record array at " + at, 200);
        }
        List<ObjectNode> page = new ArrayList<>(found.size());
        for (JsonNode record : found) {
            if (record.isObject()) {
                page.add((ObjectNode) record);
            }
        }
        String next = answer.path("meta").path("pagination").path("next").asText(null);
        run.nextToken = page.isEmpty() || next == null || next.isEmpty() ? null : pageToken(run, next);
        if (run.nextToken != null && !run.tokensSeen.add(run.nextToken)) {
            throw new MimecastFailure(run.logType + ": Mimecast returned a page token it returned before; stopping "
                    + "instead of paging in a circle", 200);
        }
        run.pages++;
        run.fetched.add(page.size());
        mustHoldLease(run);
        return page;
    }

    /** After the page was delivered: the checkpoint's next position, and whether there is more to read. */
    @Override
    protected boolean pageDone(SourceRun run) {
        boolean more;
        if (run.nextToken != null) {
            run.checkpoint.window = new Checkpoint.Window(run.windowStart, run.windowEnd, run.nextToken);
            run.pageToken = run.nextToken;
            more = true;
        } else {
            run.checkpoint.completedUntil = run.windowEnd;
            run.checkpoint.window = null;
            // a window cut short by MIMECAST_MAX_WINDOW means we are catching up: go on to the next one
            more = run.windowCapped && plan(run);
        }
        return more;
    }

    /**
     * A page token stored by an earlier run that Mimecast no longer takes (not a failure worth retrying): the
     * window is read again from its first page by the next run; the ids kept drop what was delivered.
     */
    private void forgetStoredToken(SourceRun run, Throwable failure) {
        boolean refused = failure instanceof MimecastFailure mimecast && !(mimecast instanceof MimecastFailure.Retryable)
                || failure instanceof org.apache.camel.http.base.HttpOperationFailedException http
                        && http.getStatusCode() == 400;
        if (!refused) {
            return;
        }
        LOG.warn("{}: Mimecast refused the stored page token ({}); the next run reads window {} .. {} again",
                run.logType, failure.getMessage(), run.windowStart, run.windowEnd);
        run.checkpoint.window = new Checkpoint.Window(run.windowStart, run.windowEnd, null);
        services().checkpoints().commit(run.checkpoint, true);
    }

    // ---- properties, from the route file ----

    /** The endpoint, e.g. {@code /api/audit/get-audit-events}. */
    public void setPath(String path) {
        this.path = path;
    }

    /** Where a page's records are, as a JSON pointer: {@code /data}, {@code /data/0/dlpLogs}. */
    public void setRecords(String records) {
        this.records = records;
    }

    /** The filter names of the window's start and end ({@code from}/{@code to}, {@code start}/{@code end}). */
    public void setStartFilter(String startFilter) {
        this.startFilter = startFilter;
    }

    public void setEndFilter(String endFilter) {
        this.endFilter = endFilter;
    }

    /** More request filters as a JSON object, e.g. {@code {"oldestFirst": true}}. */
    public void setFilters(String filters) {
        this.filters = jsonObject("filters", filters);
    }

    /** A property given as a JSON object (null when blank); a clear error naming it otherwise. */
    protected static ObjectNode jsonObject(String property, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            JsonNode parsed = JSON.readTree(text);
            if (!parsed.isObject()) {
                throw new IllegalArgumentException(property + " must be a JSON object");
            }
            return (ObjectNode) parsed;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(property + " is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
