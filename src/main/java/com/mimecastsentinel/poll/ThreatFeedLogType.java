package com.mimecastsentinel.poll;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.mimecast.MimecastClient;
import com.mimecastsentinel.mimecast.MimecastException;
import com.mimecastsentinel.sentinel.RowBatcher;
import com.mimecastsentinel.sentinel.StixUploadSink;
import com.mimecastsentinel.transform.EventTimes;
import com.mimecastsentinel.transform.RowMapper;
import com.mimecastsentinel.transform.StixIndicators;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mimecast's threat intelligence feeds (STIX), as declared by a {@code templatedRoute} of the
 * {@code mimecast-poll} template: each feed type in turn, windows from its checkpoint minus the overlap to
 * now, pages through the {@code X-Mc-Threat-Feed-Next-Token} header. Indicators go to Sentinel's STIX upload
 * (100 a request); objects Sentinel rejects are logged and not sent again.
 */
public class ThreatFeedLogType extends LogTypeBase {
    private static final Logger LOG = LoggerFactory.getLogger(ThreatFeedLogType.class);
    static final String NEXT_TOKEN = "X-Mc-Threat-Feed-Next-Token";
    static final String NO_RESULT = "err_threat_intel_feed_no_result_found";

    private String path;
    private List<String> feedTypes = List.of();
    private StixUploadSink stix;

    @Override
    protected boolean plan(LogTypeRun run) {
        if (run.until != null) {
            throw new com.mimecastsentinel.config.ConfigurationException("MIMECAST_LOG_TYPES", "names " + logType
                    + ", which cannot be backfilled: Sentinel keeps one version of an indicator per id, and an older "
                    + "one read now could replace a newer one");
        }
        if (run.checkpoint.feeds == null) {
            run.checkpoint.feeds = new LinkedHashMap<>();
        }
        return planFrom(run, 0);
    }

    private boolean planFrom(LogTypeRun run, int index) {
        for (int i = index; i < feedTypes.size(); i++) {
            if (planFeed(run, feedTypes.get(i))) {
                run.feedIndex = i;
                return true;
            }
        }
        return false;
    }

    private boolean planFeed(LogTypeRun run, String feedType) {
        Checkpoint.Feed feed = run.checkpoint.feeds.computeIfAbsent(feedType, f -> new Checkpoint.Feed());
        if (feed.window != null) {
            run.windowStart = feed.window.start;
            run.windowEnd = feed.window.end;
            run.pageToken = feed.window.pageToken;
            return true;
        }
        return nextWindow(run, feed.completedUntil, run.checkpoint.newestEventTime, false);
    }

    /** One page of the current feed: the body becomes its indicators, as STIX 2.1. */
    public List<ObjectNode> fetchPage(Exchange exchange) {
        LogTypeRun run = run(exchange);
        String feedType = feedTypes.get(run.feedIndex);
        ObjectNode body = services().json().createObjectNode();
        ObjectNode filter = body.putArray("data").addObject();
        filter.put("feedType", feedType).put("fileType", "stix").put("compress", false);
        if (run.pageToken != null) {
            filter.put("token", run.pageToken);
        } else {
            filter.put("start", EventTimes.mimecastFormat(run.windowStart));
            filter.put("end", EventTimes.mimecastFormat(run.windowEnd));
        }
        MimecastClient.Reply reply;
        try {
            reply = mimecast().postForReply(path, body);
        } catch (MimecastException e) {
            if (e.codes().contains(NO_RESULT)) {
                run.nextToken = null; // nothing in this window: not an error
                run.pages++;
                return List.of();
            }
            throw e;
        }
        run.pages++;
        run.nextToken = reply.headers().firstValue(NEXT_TOKEN).filter(t -> !t.isBlank()).orElse(null);
        if (run.nextToken != null && !run.tokensSeen.add(feedType + "|" + run.nextToken)) {
            throw new MimecastException(logType + ": the " + feedType + " feed returned a token it returned "
                    + "before; stopping instead of paging in a circle", 200, true);
        }
        List<ObjectNode> indicators = new ArrayList<>();
        for (JsonNode object : reply.body().path("objects")) {
            if (!object.isObject()) {
                continue;
            }
            run.fetched++;
            var indicator = StixIndicators.toIndicator((ObjectNode) object);
            if (indicator.isPresent()) {
                indicators.add(indicator.get());
            } else {
                run.skipped.increment(); // malware and relationship objects are left out by design (README)
                if ("indicator".equals(object.path("type").asText())) {
                    services().deadLetters().put(logType, "indicator lacks a required property (id, created, "
                            + "pattern)", feedType, object.toString());
                }
            }
        }
        if (indicators.isEmpty()) {
            run.nextToken = run.nextToken == null || run.nextToken.equals(run.pageToken) ? null : run.nextToken;
        }
        return indicators;
    }

    /** After a page: commit the feed's position, then the next page, window or feed. */
    public void pageDone(Exchange exchange) {
        LogTypeRun run = run(exchange);
        awaitDelivery(run);
        String feedType = feedTypes.get(run.feedIndex);
        Checkpoint.Feed feed = run.checkpoint.feeds.get(feedType);
        boolean more;
        if (run.nextToken != null) {
            feed.window = new Checkpoint.Window(run.windowStart, run.windowEnd, run.nextToken);
            run.pageToken = run.nextToken;
            commit(run);
            more = true;
        } else {
            feed.window = null;
            feed.completedUntil = run.windowEnd;
            run.checkpoint.completedUntil = run.checkpoint.feeds.values().stream()
                    .map(f -> f.completedUntil).filter(java.util.Objects::nonNull).min(Instant::compareTo)
                    .orElse(run.windowEnd);
            commit(run);
            more = planFrom(run, run.feedIndex + 1);
        }
        continueIf(exchange, more);
    }

    @Override
    protected RowMapper.Row map(ObjectNode indicator) {
        // an indicator is sent as it is; its id is its version (an update is a new version, sent again)
        return new RowMapper.Row(indicator, StixIndicators.versionId(indicator),
                EventTimes.parse(indicator.get("modified")).orElseGet(Instant::now));
    }

    @Override
    protected RowBatcher.Cutter cutter() {
        return services().batcher().cutter(StixUploadSink.MAX_OBJECTS);
    }

    @Override
    protected void send(LogTypeRun run, List<ObjectNode> batch) {
        if (services().settings().sink == Settings.SinkKind.FILE) {
            services().sink().send(stream, batch);
            return;
        }
        if (stix == null) {
            stix = services().azure().stixUpload(services().json());
        }
        StixUploadSink.Result result = stix.upload(batch);
        // rejected objects are final: dead-lettered with Sentinel's reason, and not sent again every run
        for (int i = 0; i < result.rejected().size(); i++) {
            services().deadLetters().put(logType, "rejected by Sentinel: " + result.reasons().get(i),
                    result.rejected().get(i).path("id").asText(), result.rejected().get(i).toString());
        }
        run.skipped.add(result.rejected().size());
    }

    @Override
    protected String idOf(ObjectNode row) {
        return StixIndicators.versionId(row);
    }

    @Override
    protected Runnable positionAfter(LogTypeRun run, long position) {
        String feedType = feedTypes.get(run.feedIndex);
        Checkpoint.Window window = new Checkpoint.Window(run.windowStart, run.windowEnd, run.pageToken);
        return () -> run.checkpoint.feeds.get(feedType).window = window;
    }

    @Override
    protected String describePosition(Checkpoint checkpoint) {
        return checkpoint == null || checkpoint.feeds == null ? "none" : checkpoint.feeds.keySet() + " completed until "
                + checkpoint.completedUntil;
    }

    // ---- properties set from the template's parameters ----

    public void setPath(String path) {
        this.path = path;
    }

    /** Comma list of feed types read in turn, e.g. {@code malware_customer,malware_grid}. */
    public void setFeedTypes(String feedTypes) {
        this.feedTypes = Arrays.stream(feedTypes.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
