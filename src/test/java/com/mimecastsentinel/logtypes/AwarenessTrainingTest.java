package com.mimecastsentinel.logtypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.demo.AwarenessFeeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The four Awareness Training log types through their routes: a snapshot sends every user once (also when a run
 * fails half-way and the next one reads everything again), a run that finds nothing changed sends nothing, a
 * changed user is sent again with the change, and a new snapshot sends every user again. Rows go to the Awareness
 * Training DCR, with the official columns and no TimeGenerated of their own (the ingestion time).
 */
class AwarenessTrainingTest extends SimulatedAccountTest {
    private static final int USERS = 120;

    AwarenessTrainingTest() {
        super(Duration.ofMinutes(30));
    }

    private int run(String logType, String... more) {
        Map<String, String> env = new HashMap<>(Map.of("MIMECAST_PAGE_SIZE", "50"));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return account.runOnce(logType, env);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "awareness-performance, " + AwarenessFeeds.PERFORMANCE + ", Custom-Awareness_Performance_Details, email",
        "awareness-safe-score,  " + AwarenessFeeds.SAFE_SCORE + ",  Custom-Awareness_SafeScore_Details,   emailAddress",
        "awareness-watchlist,   " + AwarenessFeeds.WATCHLIST + ",   Custom-Awareness_Watchlist_Details,   email",
        "awareness-user-data,   " + AwarenessFeeds.USER_DATA + ",   Custom-Awareness_User_Data,           email" })
    void aSnapshotSendsEveryUserOnceThenOnlyChangedUsers(String logType, String path, String stream, String user)
            throws Exception {
        simulator.awarenessUsers(USERS);
        azure.acceptUploads();
        // the first run fails after one accepted batch; the next reads everything again and sends the rest
        azure.acceptThenFail(stream, 1, 400);
        assertEquals(1, run(logType), "the refused upload fails the run");
        azure.heal();
        assertEquals(0, run(logType));
        List<ObjectNode> expected = expected(path);
        assertEquals(expected.size(), azure.deliveredRows(stream).size(), "every user once in the snapshot");
        assertEquals(keys(expected, user), keys(azure.deliveredRows(stream), user));
        for (JsonNode row : azure.deliveredRows(stream)) {
            assertFalse(row.has("TimeGenerated"), "the ingestion time, stamped by the DCR");
            assertEquals(32, row.path("mimecastEventId").asText().length(), "a stable id: the version's hash");
        }
        JsonNode checkpoint = checkpoint(logType);
        assertNotNull(checkpoint.path("snapshot").path("completedAt").textValue(), "the snapshot was read whole");
        assertEquals(expected.size(), checkpoint.path("snapshot").path("sent").size());
        assertEquals(expected.size(), checkpoint.path("deliveredTotal").asLong());

        // nothing changed: nothing sent
        int uploads = azure.uploads(stream).size();
        assertEquals(0, run(logType));
        assertEquals(uploads, azure.uploads(stream).size(), "an unchanged dataset sends nothing");

        // two users change: they, and only they, are sent again, as they are now
        simulator.changeAwarenessUser(3);
        simulator.changeAwarenessUser(77);
        assertEquals(0, run(logType));
        List<JsonNode> all = azure.deliveredRows(stream);
        List<JsonNode> changed = all.subList(expected.size(), all.size());
        List<ObjectNode> now = expected(path);
        List<ObjectNode> changedNow = now.stream().filter(r -> r.path(user).asText().contains("." + 3 + "@")
                || r.path(user).asText().contains("." + 77 + "@")).toList();
        assertEquals(keys(changedNow, user), keys(changed, user), "the changed users only");
        for (JsonNode row : changed) {
            ObjectNode source = changedNow.stream().filter(r -> sameUser(r, row, user)).findFirst().orElseThrow();
            source.fields().forEachRemaining(field -> {
                if (field.getValue().isNumber()) {
                    assertEquals(field.getValue().asDouble(), row.path(field.getKey()).asDouble(), field.getKey());
                }
            });
        }

        // a new snapshot: every user again, once
        Thread.sleep(1100);
        assertEquals(0, run(logType, "AWARENESS_SNAPSHOT_INTERVAL", "PT1S"));
        all = azure.deliveredRows(stream);
        assertEquals(keys(now, user), keys(all.subList(expected.size() + changed.size(), all.size()), user),
                "the new snapshot holds every user once");
    }

    @Test
    void userDataReadsEveryCampaignAndDeclaresOnlyOfficialColumns() throws Exception {
        simulator.awarenessUsers(30);
        azure.acceptUploads();
        assertEquals(0, run("awareness-user-data"));
        List<JsonNode> rows = azure.deliveredRows("Custom-Awareness_User_Data");
        assertEquals(60, rows.size(), "30 users in each of the two campaigns");
        for (JsonNode row : rows) {
            assertFalse(row.has("AdditionalFields"), "every field of the simulated items is an official column");
            assertTrue(row.path("timeScheduled").asText().endsWith("Z"), "Mimecast times as ISO-8601 UTC");
        }
        assertEquals(0, checkpoint("awareness-user-data").path("recentEventIds").size(),
                "no ids kept: the snapshot's versions say what was sent");
    }

    @Test
    void aScheduleWhoseNextRunComesAfterTheIntervalStartsANewSnapshotNow() throws Exception {
        simulator.awarenessUsers(20);
        azure.acceptUploads();
        // a yearly run, last due ten days ago (Quartz fires it at start-up): the next is far beyond a day
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(10);
        String yearly = "0 0 0 " + day.getDayOfMonth() + " " + day.getMonthValue() + " ?";
        assertEquals(0, run("awareness-watchlist", "SCHEDULE_AWARENESS", yearly));
        assertEquals(20, azure.deliveredRows("Custom-Awareness_Watchlist_Details").size());
        assertEquals(0, run("awareness-watchlist", "SCHEDULE_AWARENESS", yearly));
        assertEquals(40, azure.deliveredRows("Custom-Awareness_Watchlist_Details").size(),
                "every user again: waiting for the next run would leave more than a day without them");
    }

    @Test
    void withoutItsDcrAnAwarenessTypeNamedStopsStartUpAndOneNotNamedIsLeftAlone() {
        simulator.awarenessUsers(5);
        azure.acceptUploads();
        Map<String, String> env = new HashMap<>(account.environment("awareness-watchlist", Map.of()));
        env.remove("SENTINEL_AWARENESS_DCR_ID");
        env.remove("SENTINEL_AWARENESS_INGESTION_ENDPOINT");
        assertEquals(1, com.mimecastsentinel.Application.run(
                com.mimecastsentinel.support.Settings4Tests.properties(env)), "named without its DCR: stops");
        assertTrue(azure.uploads("Custom-Awareness_Watchlist_Details").isEmpty());
    }

    /** What the dataset holds now (user data: every campaign's items). */
    private List<ObjectNode> expected(String path) {
        if (!path.equals(AwarenessFeeds.USER_DATA)) {
            return simulator.awarenessRecords(path, null);
        }
        List<ObjectNode> all = new ArrayList<>();
        for (String campaign : AwarenessFeeds.CAMPAIGN_IDS) {
            all.addAll(simulator.awarenessRecords(path, campaign));
        }
        return all;
    }

    private static boolean sameUser(JsonNode a, JsonNode b, String user) {
        return a.path(user).asText().equals(b.path(user).asText())
                && a.path("templateName").asText().equals(b.path("templateName").asText());
    }

    /** The users (with the campaign's template) and how often each was sent. */
    private static Map<String, Integer> keys(List<? extends JsonNode> rows, String user) {
        Map<String, Integer> keys = new HashMap<>();
        for (JsonNode row : rows) {
            keys.merge(row.path(user).asText() + "|" + row.path("templateName").asText(), 1, Integer::sum);
        }
        return keys;
    }
}
