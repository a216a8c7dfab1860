package com.mimecastsentinel.source;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.config.ConfigurationException;
import com.mimecastsentinel.transform.EventTimes;
import org.apache.camel.Exchange;

/**
 * Mimecast's threat intelligence feeds (STIX): each feed type in turn, windows from its checkpoint minus the overlap
 * to now, paged through the {@code X-Mc-Threat-Feed-Next-Token} answer header; a page is one batch.
 */
public class ThreatFeedSource extends PageSource {
    static final String NEXT_TOKEN = "X-Mc-Threat-Feed-Next-Token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private String path;
    private List<String> feedTypes = List.of();

    public ThreatFeedSource() {
        retention = java.time.Duration.ofDays(30);
    }

    @Override
    protected boolean plan(SourceRun run) {
        if (run.until != null) {
            throw new ConfigurationException("MIMECAST_LOG_TYPES", "names " + run.logType
                    + ", which cannot be backfilled: Sentinel keeps one version of an indicator per id, and an older "
                    + "one read now could replace a newer one");
        }
        if (run.checkpoint.feeds == null) {
            run.checkpoint.feeds = new LinkedHashMap<>();
        }
        return planFrom(run, 0);
    }

    private boolean planFrom(SourceRun run, int index) {
        for (int i = index; i < feedTypes.size(); i++) {
            Checkpoint.Feed feed = run.checkpoint.feeds.computeIfAbsent(feedTypes.get(i), f -> new Checkpoint.Feed());
            boolean planned;
            if (feed.window != null) {
                run.windowStart = feed.window.start;
                run.windowEnd = feed.window.end;
                run.pageToken = feed.window.pageToken;
                planned = true;
            } else {
                planned = nextWindow(run, feed.completedUntil, run.checkpoint.newestEventTime, false);
            }
            if (planned) {
                run.feedIndex = i;
                return true;
            }
        }
        return false;
    }

    /** The request for the feed's next page (window or next token). */
    @Override
    protected MimecastRequest request(SourceRun run) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode filter = body.putArray("data").addObject();
        filter.put("feedType", feedTypes.get(run.feedIndex)).put("fileType", "stix").put("compress", false);
        if (run.pageToken != null) {
            filter.put("token", run.pageToken);
        } else {
            filter.put("start", EventTimes.mimecastFormat(run.windowStart));
            filter.put("end", EventTimes.mimecastFormat(run.windowEnd));
        }
        return MimecastRequest.post(path, body);
    }

    /** The STIX objects of the page; the next token (an answer header) noted. */
    @Override
    protected List<ObjectNode> records(SourceRun run, Exchange answer) {
        String feedType = feedTypes.get(run.feedIndex);
        JsonNode bundle = answer.getMessage().getBody(JsonNode.class);
        run.pages++;
        run.nextToken = pageToken(run, MimecastCallAnswer.header(answer, NEXT_TOKEN));
        if (run.nextToken != null && !run.tokensSeen.add(feedType + "|" + run.nextToken)) {
            throw new MimecastFailure(run.logType + ": the " + feedType + " feed returned a token it returned "
                    + "before; stopping instead of paging in a circle", 200);
        }
        List<ObjectNode> objects = new ArrayList<>();
        for (JsonNode object : bundle.path("objects")) {
            if (object.isObject()) {
                objects.add((ObjectNode) object);
            }
        }
        run.fetched.add(objects.size());
        if (objects.isEmpty() && Objects.equals(run.nextToken, run.pageToken)) {
            run.nextToken = null;
        }
        mustHoldLease(run);
        return objects;
    }

    /** After a page: the feed's position (committed next), then the next page, window or feed. */
    @Override
    protected boolean pageDone(SourceRun run) {
        Checkpoint.Feed feed = run.checkpoint.feeds.get(feedTypes.get(run.feedIndex));
        boolean more;
        if (run.nextToken != null) {
            feed.window = new Checkpoint.Window(run.windowStart, run.windowEnd, run.nextToken);
            run.pageToken = run.nextToken;
            more = true;
        } else {
            feed.window = null;
            feed.completedUntil = run.windowEnd;
            run.checkpoint.completedUntil = run.checkpoint.feeds.values().stream().map(f -> f.completedUntil)
                    .filter(Objects::nonNull).min(Instant::compareTo).orElse(run.windowEnd);
            more = planFrom(run, run.feedIndex + 1);
        }
        return more;
    }

    /** A page's batch names its feed. */
    @Override
    protected Batch page(SourceRun run, List<ObjectNode> records) {
        return super.page(run, records).with(Batch.FEED, feedTypes.get(run.feedIndex));
    }

    // ---- properties, from the route file ----

    public void setPath(String path) {
        this.path = path;
    }

    /** Comma list of feed types read in turn, e.g. {@code malware_customer,malware_grid}. */
    public void setFeedTypes(String feedTypes) {
        this.feedTypes = Arrays.stream(feedTypes.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
