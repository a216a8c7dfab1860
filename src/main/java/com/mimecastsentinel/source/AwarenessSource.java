package com.mimecastsentinel.source;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.config.ConfigurationException;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.transform.EventIds;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Awareness Training dataset: every user's current record, not events. Each run reads the whole dataset, page by
 * page (for phishing user data, every campaign's users in turn), and hands on only the users whose record is new or
 * changed since it was last sent in the current snapshot: the checkpoint keeps, per snapshot, each user's key with
 * a hash of the version sent, moved on with the page once Sentinel has it. Every AWARENESS_SNAPSHOT_INTERVAL a new
 * snapshot starts and every user is sent again, so a workbook over any range of that length shows every user.
 * Within a snapshot nothing is sent twice: a restart reads again from the first page and drops what was sent.
 */
public class AwarenessSource extends PagedSource {
    private static final Logger LOG = LoggerFactory.getLogger(AwarenessSource.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> WHOLE_RECORD = List.of("*");
    private static final String CAMPAIGN = "\u0000campaign";

    private ObjectNode requestData;
    private List<String> userKey = List.of();
    private String campaigns;
    private String campaignRecords = "/data";
    private final AtomicBoolean warnedDcr = new AtomicBoolean();

    /** Passed over as well when rows would go to Sentinel without the Awareness Training DCR set. */
    @Override
    public String passedOver(String logType, MimecastAccount account) {
        Settings settings = services().settings();
        if (settings.sink == Settings.SinkKind.SENTINEL && settings.awarenessDcrId == null
                && account.target().awarenessDcrId() == null) {
            if (account.name() == null ? settings.logTypes.contains(logType) : account.names(logType)) {
                throw new ConfigurationException("SENTINEL_AWARENESS_DCR_ID", "is needed for log type " + logType
                        + " (its tables are in a DCR of their own: docs/azure.md)");
            }
            if (!warnedDcr.getAndSet(true)) {
                LOG.info("{}: not run: set SENTINEL_AWARENESS_DCR_ID and SENTINEL_AWARENESS_INGESTION_ENDPOINT to "
                        + "send Awareness Training (docs/azure.md)", logType);
            }
            return "no Awareness Training DCR (SENTINEL_AWARENESS_DCR_ID, or the account's awarenessDcrId)";
        }
        return super.passedOver(logType, account);
    }

    /** A run reads the whole dataset; a snapshot older than AWARENESS_SNAPSHOT_INTERVAL is replaced by a new one. */
    @Override
    protected boolean plan(SourceRun run) {
        if (run.until != null) {
            throw new ConfigurationException("MIMECAST_LOG_TYPES", "names " + run.logType
                    + ", which cannot be backfilled: Mimecast keeps only each user's current Awareness Training record");
        }
        Instant now = services().clock().instant();
        Duration interval = services().settings().awarenessSnapshotInterval;
        Checkpoint.Snapshot snapshot = run.checkpoint.snapshot;
        if (snapshot == null || snapshot.startedAt == null || snapshot.startedAt.isAfter(now.plus(interval))
                || snapshotDue(snapshot, now, interval, run.nextScheduledRun)) {
            snapshot = new Checkpoint.Snapshot();
            snapshot.startedAt = now;
            run.checkpoint.snapshot = snapshot;
            LOG.info("{}: a new snapshot: every user is sent (AWARENESS_SNAPSHOT_INTERVAL {})", run.logType,
                    interval);
        }
        // the snapshot's versions say what was sent, not ids (two campaigns' identical items are two rows)
        run.persistIds = false;
        run.rememberIds = false;
        run.windowStart = snapshot.startedAt;
        run.windowEnd = now;
        run.pageToken = null;
        run.tokensSeen.clear();
        run.campaigns = campaigns == null ? List.of() : null;
        run.campaignIndex = 0;
        return true;
    }

    /**
     * Whether this run starts a new snapshot: the interval is over, or the schedule's next run would finish the next
     * snapshot after it (as long as reading this one took). Snapshots so start at most the interval apart, and every
     * user is sent in any range of that length, whatever the schedule.
     */
    static boolean snapshotDue(Checkpoint.Snapshot snapshot, Instant now, Duration interval, Instant nextRun) {
        Instant due = snapshot.startedAt.plus(interval);
        if (!now.isBefore(due)) {
            return true;
        }
        if (nextRun == null) {
            return false;
        }
        Duration reading = snapshot.completedAt == null ? Duration.ZERO
                : Duration.between(snapshot.startedAt, snapshot.completedAt);
        return nextRun.plus(reading).isAfter(due);
    }

    /** The campaign list (phishing user data), else the dataset's first page. */
    @Override
    protected MimecastRequest firstRequest(SourceRun run) {
        run.campaigns = campaigns == null ? List.of() : null;
        return request(run);
    }

    /** The campaign list first (phishing user data), then the next page of the dataset. */
    @Override
    protected MimecastRequest request(SourceRun run) {
        ObjectNode body = JSON.createObjectNode();
        if (run.campaigns == null) {
            return MimecastRequest.post(campaigns, body);
        }
        ObjectNode pagination = body.putObject("meta").putObject("pagination");
        pagination.put("pageSize", pageSize(run, services().settings().pageSize));
        if (run.pageToken != null) {
            pagination.put("pageToken", run.pageToken);
        }
        if (requestData != null || campaigns != null) {
            ObjectNode data = body.putArray("data").addObject();
            if (requestData != null) {
                data.setAll(requestData);
            }
            if (campaigns != null) {
                data.put("id", run.campaigns.get(run.campaignIndex));
            }
        }
        return MimecastRequest.post(path, body);
    }

    /**
     * The body: the page's users that are new or changed in this snapshot (the versions noted, for the checkpoint
     * once delivered); after the campaign list, no users and the campaigns noted.
     */
    @Override
    protected List<ObjectNode> records(SourceRun run, Exchange call) {
        JsonNode answer = call.getMessage().getBody(JsonNode.class);
        if (run.campaigns == null) {
            List<String> ids = new ArrayList<>();
            List<ObjectNode> listed = pageRecords(run, answer, campaignRecords);
            run.fetched.add(-listed.size()); // campaigns, not records
            for (ObjectNode campaign : listed) {
                String id = campaign.path("id").asText("");
                if (!id.isEmpty() && !ids.contains(id)) {
                    ids.add(id);
                }
            }
            run.nextToken = null; // the campaign list is one answer
            run.campaigns = ids;
            run.campaignIndex = -1; // the page done next moves to the first campaign
            return List.of();
        }
        Checkpoint.Snapshot snapshot = run.checkpoint.snapshot;
        String campaign = campaigns == null ? "" : run.campaigns.get(run.campaignIndex);
        List<ObjectNode> changed = new ArrayList<>();
        for (ObjectNode user : pageRecords(run, answer, records)) {
            // 64 bits of each hash: the checkpoint holds one pair per user, and a collision is vanishingly unlikely
            String version = EventIds.of(user, null, WHOLE_RECORD).substring(0, 16);
            String key = userKey(user, campaign, version);
            if (version.equals(snapshot.sent.get(key)) || version.equals(run.sending.get(key))) {
                run.duplicates.increment(); // sent in this snapshot as it is now
                continue;
            }
            run.sending.put(key, version);
            changed.add(user);
        }
        return changed;
    }

    /** The user's key (with the campaign's id): the key fields, or the record itself when it has none of them. */
    private String userKey(ObjectNode user, String campaign, String version) {
        boolean any = userKey.stream().anyMatch(field -> !user.path(field).asText("").isEmpty());
        if (!any) {
            return campaign + ":" + version;
        }
        List<String> fields = new ArrayList<>(userKey.size() + 1);
        fields.add(CAMPAIGN);
        fields.addAll(userKey);
        return EventIds.ofValues(field -> field.equals(CAMPAIGN) ? campaign : user.get(field), null, fields)
                .substring(0, 16);
    }

    /**
     * After the page was delivered: its versions are in the snapshot; then the next page, the next campaign, or the
     * end of the run (the dataset read whole).
     */
    @Override
    protected boolean pageDone(SourceRun run) {
        Checkpoint.Snapshot snapshot = run.checkpoint.snapshot;
        boolean changed = !run.sending.isEmpty();
        snapshot.sent.putAll(run.sending);
        run.sending.clear();
        boolean more;
        if (run.nextToken != null) {
            run.pageToken = run.nextToken;
            more = true;
        } else if (run.campaignIndex + 1 < run.campaigns.size()) {
            run.campaignIndex++;
            run.pageToken = null;
            run.tokensSeen.clear();
            more = true;
        } else {
            more = false;
            markRead(run);
        }
        // a page of unchanged users moved nothing: the commit after it need not look at the whole snapshot (a new
        // snapshot is written with its first page of users, or at the end of a run that found none)
        run.checkpointUnchanged = more && !changed;
        return more;
    }

    private void markRead(SourceRun run) {
        Checkpoint.Snapshot snapshot = run.checkpoint.snapshot;
        Instant now = services().clock().instant();
        if (snapshot.completedAt == null) {
            snapshot.completedAt = now;
        }
        run.checkpoint.completedUntil = now;
    }

    // ---- properties, from the route file ----

    /** What {@code data[0]} of every request holds, as a JSON object ({@code {"includeUserDetails": true}}). */
    public void setRequestData(String requestData) {
        this.requestData = jsonObject("requestData", requestData);
    }

    /** The fields that tell users apart ({@code userId, email}): a user's version replaces the one sent before. */
    public void setUserKey(String userKey) {
        this.userKey = userKey == null ? List.of()
                : Arrays.stream(userKey.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Phishing user data: the endpoint listing the campaigns whose users are read, each in turn. */
    public void setCampaigns(String campaigns) {
        this.campaigns = campaigns == null || campaigns.isBlank() ? null : campaigns;
    }

    /** Where the campaign list's campaigns are, as a JSON pointer. */
    public void setCampaignRecords(String campaignRecords) {
        this.campaignRecords = campaignRecords;
    }
}
