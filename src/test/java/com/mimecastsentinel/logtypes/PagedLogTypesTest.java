package com.mimecastsentinel.logtypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.mimecastsentinel.transform.EventIds;
import com.mimecastsentinel.transform.EventTimes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every paged log type through its YAML route: the simulator over HTTPS (real time filters and pagination) as
 * Mimecast, HTTPS fakes of Entra and Logs Ingestion, checkpoints in Azurite. All events once, nothing new on a
 * second run, and a failed upload resumes mid-window.
 */
class PagedLogTypesTest extends SimulatedAccountTest {
    PagedLogTypesTest() {
        super(Duration.ofMinutes(2));
    }

    private int runOnce(String logType) {
        return account.runOnce(logType, Map.of("MIMECAST_PAGE_SIZE", "100"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "audit,             /api/audit/get-audit-events,           Custom-Audit,             eventTime,  id, ''",
        "dlp,               /api/dlp/get-logs,                     Custom-Seg_Dlp,           eventTime,  '', messageId|eventTime|policy|recipientAddress|action",
        "ttp-url,           /api/ttp/url/get-logs,                 Custom-Ttp_Url,           date,       '', messageId|url|date|userEmailAddress",
        "ttp-attachment,    /api/ttp/attachment/get-logs,          Custom-Ttp_Attachment,    date,       '', messageId|fileHash|date|recipientAddress",
        "ttp-impersonation, /api/ttp/impersonation/get-logs,       Custom-Ttp_Impersonation, eventTime,  id, ''",
        "archive-search,    /api/archive/get-archive-search-logs,  Custom-Archive_Search,    createTime, '', createTime|emailAddr|source|searchText|searchReason|searchPath|description",
        "held-release,      /api/gateway/get-held-release-logs,    Custom-Held_Release,      released,   id, ''" })
    void deliversEveryEventOnceAndResumesAfterAFailure(String logType, String path, String stream, String timeField,
            String idField, String keyFields) throws Exception {
        // first run: uploads fail after the first two; the run fails, the checkpoint holds what was acknowledged
        azure.acceptUploads();
        azure.acceptThenFail(stream, 2, 400);
        assertEquals(1, runOnce(logType), "the failed upload fails the run");
        JsonNode checkpoint = checkpoint(logType);
        assertNotNull(checkpoint.get("window"), "stopped inside a window");
        assertEquals(200, checkpoint.path("deliveredTotal").asLong(), "two pages of 100 acknowledged");

        // second run with a healthy sink resumes there; a third finds nothing new
        azure.heal();
        assertEquals(0, runOnce(logType));
        int uploadsAfterSecond = azure.uploads(stream).size();
        assertEquals(0, runOnce(logType));

        checkpoint = checkpoint(logType);
        Instant until = Instant.parse(checkpoint.path("completedUntil").asText());
        List<JsonNode> expected = List.copyOf(simulator.events(path)
                .between(start.atStartOfDay(ZoneOffset.UTC).toInstant(), until));
        Set<String> expectedIds = expected.stream().map(r -> id(r, idField, keyFields)).collect(Collectors.toSet());
        assertEquals(expected.size(), expectedIds.size(), "the id rule tells every simulated event apart");

        Map<String, Integer> delivered = azure.deliveredIds(stream);
        assertEquals(expectedIds, delivered.keySet(), "every event up to the checkpoint, nothing else");
        assertTrue(delivered.values().stream().allMatch(n -> n == 1), "no event twice");
        assertEquals(delivered.size(), checkpoint.path("deliveredTotal").asLong());
        assertTrue(azure.uploads(stream).size() <= uploadsAfterSecond + 1, "the third run found at most one new event");
        assertEquals(EventTimes.parse(expected.get(expected.size() - 1).get(timeField)).orElseThrow(),
                Instant.parse(checkpoint.path("newestEventTime").asText()));
    }

    private static String id(JsonNode record, String idField, String keyFields) {
        return EventIds.of(record, idField.isEmpty() ? null : idField,
                keyFields.isEmpty() ? List.of() : List.of(keyFields.split("\\|")));
    }
}
