package com.mimecastsentinel.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.mimecastsentinel.simulator.PagedFeeds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The log types in routes/*.yaml against the Mimecast reference (shared/reference/mimecast-api.md 4.3): endpoint,
 * record location, time field, id rule and stream, with field names exactly as documented; and the simulator's
 * records carry exactly those fields, so the demo and the tests exercise the real shapes.
 */
class LogTypeDefinitionsTest {
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "audit", Set.of("id", "auditType", "user", "eventTime", "eventInfo", "category"),
            "dlp", Set.of("senderAddress", "recipientAddress", "subject", "eventTime", "route", "policy", "action",
                    "messageId"),
            "ttp-url", Set.of("userEmailAddress", "fromUserEmailAddress", "url", "ttpDefinition", "subject", "action",
                    "adminOverride", "userOverride", "scanResult", "category", "sendingIp", "userAwarenessAction",
                    "date", "actions", "route", "creationMethod", "emailPartsDescription", "messageId", "tagMap"),
            "ttp-attachment", Set.of("senderAddress", "recipientAddress", "fileName", "fileType", "result",
                    "actionTriggered", "date", "details", "route", "messageId", "subject", "fileHash", "definition"),
            "ttp-impersonation", Set.of("id", "senderAddress", "recipientAddress", "subject", "definition", "hits",
                    "identifiers", "action", "taggedExternal", "taggedMalicious", "senderIpAddress", "eventTime",
                    "impersonationResults", "messageId"),
            "archive-search", Set.of("createTime", "emailAddr", "source", "searchText", "searchReason",
                    "description", "searchPath"),
            "held-release", Set.of("id", "released", "operator", "status", "heldReason", "policy", "route", "size",
                    "spamScore", "subject", "fromEnv", "fromHdr", "to", "attachments", "detectionLevel",
                    "messageInfo", "rejectReason", "spamProcessingDetail"));

    private static JsonNode handler(String logType) throws Exception {
        JsonNode file = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Path.of("routes",
                logType + ".yaml")));
        JsonNode bean = file.get(0).path("beans").get(0);
        JsonNode route = file.get(1).get("templatedRoute");
        assertEquals(logType, route.path("routeId").asText());
        assertEquals(logType + "-handler", bean.path("name").asText());
        assertEquals(logType + "-handler", parameter(route, "handler"), "the route uses its own file's handler");
        return bean.path("properties");
    }

    private static String parameter(JsonNode route, String name) {
        for (JsonNode parameter : route.path("parameters")) {
            if (parameter.path("name").asText().equals(name)) {
                return parameter.path("value").asText();
            }
        }
        return null;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "audit,             /api/audit/get-audit-events,          /data,                   eventTime,  Custom-Audit",
        "dlp,               /api/dlp/get-logs,                    /data/0/dlpLogs,         eventTime,  Custom-Seg_Dlp",
        "ttp-url,           /api/ttp/url/get-logs,                /data/0/clickLogs,       date,       Custom-Ttp_Url",
        "ttp-attachment,    /api/ttp/attachment/get-logs,         /data/0/attachmentLogs,  date,       Custom-Ttp_Attachment",
        "ttp-impersonation, /api/ttp/impersonation/get-logs,      /data/0/impersonationLogs, eventTime, Custom-Ttp_Impersonation",
        "archive-search,    /api/archive/get-archive-search-logs, /data/0/logs,            createTime, Custom-Archive_Search",
        "held-release,      /api/gateway/get-held-release-logs,   /data/0/heldReleaseLogs, released,   Custom-Held_Release" })
    void pagedLogTypesMatchTheReference(String logType, String path, String recordsAt, String timeField,
            String stream) throws Exception {
        JsonNode handler = handler(logType);
        assertEquals(path, handler.path("path").asText());
        assertEquals(recordsAt, handler.path("recordsAt").asText());
        assertEquals(timeField, handler.path("timeField").asText());
        assertTrue(handler.path("stream").asText().endsWith(":" + stream + "}}"), handler.path("stream").asText());
        Set<String> fields = FIELDS.get(logType);
        String idField = handler.path("idField").asText("");
        assertTrue(idField.isEmpty() || fields.contains(idField), "id field " + idField);
        for (String key : handler.path("keyFields").asText().split(",")) {
            assertTrue(fields.contains(key.trim()), logType + " key field " + key);
        }

        ObjectNode simulated = PagedFeeds.all(new ObjectMapper(), Duration.ofMinutes(5)).get(path).events()
                .between(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T01:00:00Z")).get(0);
        Set<String> names = new TreeSet<>();
        simulated.fieldNames().forEachRemaining(names::add);
        assertEquals(new TreeSet<>(fields), names, "the simulator's " + logType + " records");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "dlp,            messageId|eventTime|policy|recipientAddress|action",
        "ttp-url,        messageId|url|date|userEmailAddress",
        "ttp-attachment, messageId|fileHash|date|recipientAddress",
        "siem,           processingId|aggregateId|type|subtype|timestamp|action|messageId|accountId",
        "cloud-integrated, processingId|aggregateId|type|subtype|timestamp|action|messageId|accountId" })
    void hashIdsUseTheReferenceKeys(String logType, String keys) throws Exception {
        assertEquals(List.of(keys.split("\\|")), List.of(handler(logType).path("keyFields").asText().split(",")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "siem, /siem/v1/batch/events/cg, Custom-Seg_Cg", "cloud-integrated, /siem/v1/batch/events/ci, "
            + "Custom-Cloud_Integrated" })
    void batchLogTypesMatchTheReference(String logType, String path, String stream) throws Exception {
        JsonNode handler = handler(logType);
        assertEquals(path, handler.path("path").asText());
        assertEquals("timestamp", handler.path("timeField").asText());
        assertTrue(handler.path("stream").asText().endsWith(":" + stream + "}}"));
        assertEquals("P7D", handler.path("retention").asText(), "SIEM files are kept 7 days");
    }

    @org.junit.jupiter.api.Test
    void siemLogtypesAreTheFunctionAppValues() throws Exception {
        Map<String, String> logtypes = new HashMap<>();
        for (String pair : handler("siem").path("logtypes").asText().split(",")) {
            logtypes.put(pair.split("=")[0], pair.split("=")[1]);
        }
        assertEquals(Map.of("receipt", "email_receipt", "process", "email_process", "delivery", "email_delivery",
                "av", "email_antivirus", "spam", "email_spam", "internal email protect", "email_iep",
                "impersonation protect", "email_ttp_impersonation", "url protect", "email_ttp_url",
                "attachment protect", "email_ttp_ap", "journal", "email_journal"), logtypes);
        assertEquals(Set.copyOf(logtypes.keySet()),
                Set.of(handler("siem").path("eventTypes").asText().split(",")), "every type is asked for");
    }
}
