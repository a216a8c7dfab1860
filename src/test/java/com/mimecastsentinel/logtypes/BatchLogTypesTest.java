package com.mimecastsentinel.logtypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.mimecastsentinel.support.AzureFake;
import com.mimecastsentinel.transform.EventIds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The SIEM batch log types through their YAML routes: listings and pre-signed gzip NDJSON files from the
 * simulator over HTTPS (files refuse an Authorization header), HTTPS Entra and Logs Ingestion fakes, checkpoints
 * in Azurite. A failure mid-page resumes without re-sending, an expired file URL lists the page again, and every
 * event arrives once with its Logtype.
 */
class BatchLogTypesTest extends SimulatedAccountTest {
    private static final List<String> KEY_FIELDS = List.of("processingId", "aggregateId", "type", "subtype",
            "timestamp", "action", "messageId", "accountId");
    BatchLogTypesTest() {
        super(Duration.ofMinutes(5));
    }

    private int runOnce(String logType) {
        return account.runOnce(logType, Map.of());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "siem,             /siem/v1/batch/events/cg, /siem-files/cg/, Custom-Seg_Cg,           Logtype, email_",
        "cloud-integrated, /siem/v1/batch/events/ci, /siem-files/ci/, Custom-Cloud_Integrated, type_,   ''" })
    void deliversEveryEventOnceThroughFailuresAndExpiredUrls(String logType, String path, String folder,
            String stream, String typeColumn, String logtypePrefix) throws Exception {
        // requests of about 6 KB: a file's events take a few; the third upload fails, the run stops in the middle
        // of the listing page
        System.setProperty("mimecast.batch-bytes", "6000");
        azure.acceptUploads();
        azure.acceptThenFail(stream, 2, 400);
        assertEquals(1, runOnce(logType));
        JsonNode checkpoint = checkpoint(logType);
        assertFalse(checkpoint.has("nextPage"), "the first page is not done, so no token yet");
        assertTrue(checkpoint.has("fileInProgress") || checkpoint.has("filesDone"), "where the two requests ended");
        assertEquals(azure.deliveredIds(stream).size(), checkpoint.path("deliveredTotal").asLong());
        assertEquals(Instant.parse(start + "T00:00:00Z"), Instant.parse(checkpoint.path("startedFrom").asText()));

        // the next file's URL has expired by the time the second run downloads it: that run lists again;
        // the file after it has a line that is not JSON: that line goes to dead-letter, the rest flows on
        long thirdHour = start.atStartOfDay(ZoneOffset.UTC).toEpochSecond() / 3600 + 2;
        simulator.expireOnce(folder + thirdHour + ".json.gz");
        simulator.malformLineIn(folder + (thirdHour + 1) + ".json.gz");
        simulator.truncate(folder + (thirdHour + 2) + ".json.gz");
        azure.heal();
        long listingsBefore = simulator.apiRequests();
        assertEquals(0, runOnce(logType));
        assertTrue(simulator.apiRequests() - listingsBefore >= 2, "listed again after the expired URL");
        assertEquals(0, runOnce(logType), "a third run finds nothing new, or only a new hour's file");

        checkpoint = checkpoint(logType);
        long nextHour = Long.parseLong(new String(Base64.getUrlDecoder().decode(checkpoint.path("nextPage").asText()),
                StandardCharsets.UTF_8).substring("hour:".length()));
        Set<String> expected = simulator.events(path).between(start.atStartOfDay(ZoneOffset.UTC).toInstant(),
                Instant.ofEpochSecond(nextHour * 3600 - 1)).stream()
                .map(e -> EventIds.of(e, null, KEY_FIELDS)).collect(Collectors.toSet());
        Set<String> truncatedHour = simulator.events(path).between(Instant.ofEpochSecond((thirdHour + 2) * 3600),
                Instant.ofEpochSecond((thirdHour + 3) * 3600 - 1)).stream()
                .map(e -> EventIds.of(e, null, KEY_FIELDS)).collect(Collectors.toSet());
        Map<String, Integer> delivered = azure.deliveredIds(stream);
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(delivered.keySet());
        assertTrue(truncatedHour.containsAll(missing), "only the truncated file's unreadable tail is missing");
        assertTrue(expected.containsAll(delivered.keySet()), "nothing that is not at the source");
        assertTrue(delivered.values().stream().allMatch(n -> n == 1), "no event twice");
        assertEquals(delivered.size(), checkpoint.path("deliveredTotal").asLong());
        assertFalse(checkpoint.has("filesDone"), "the page is complete");
        System.clearProperty("mimecast.batch-bytes");
        List<JsonNode> deadLetters = account.deadLetters(logType);
        assertEquals(3, deadLetters.size(), "the malformed lines and the truncated file");
        JsonNode truncated = deadLetters.stream().filter(d -> d.path("reason").asText().contains("unreadable gzip"))
                .findFirst().orElseThrow();
        assertEquals(simulator.url() + folder + (thirdHour + 2) + ".json.gz", truncated.path("source").asText(),
                "the URL without its signature");
        assertEquals("base64", truncated.path("contentEncoding").asText(), "the file as it came");
        assertEquals(truncated.path("contentBytes").asLong(), Base64.getDecoder().decode(
                truncated.path("content").asText()).length, "small enough to be kept whole");
        assertFalse(truncated.path("contentTruncated").asBoolean());
        deadLetters.stream().filter(d -> d != truncated)
                .forEach(d -> assertEquals(folder + (thirdHour + 1) + ".json.gz", d.path("source").asText()));
        JsonNode notJson = deadLetters.stream().filter(d -> d.path("reason").asText().contains("not a JSON object"))
                .findFirst().orElseThrow();
        assertEquals("{\"accountId\":\"C0A0\",\"timestamp\":17", notJson.path("content").asText());
        JsonNode notUtf8 = deadLetters.stream().filter(d -> d.path("reason").asText().contains("not valid UTF-8"))
                .findFirst().orElseThrow();
        assertEquals("base64", notUtf8.path("contentEncoding").asText(), "kept byte for byte");

        Set<String> logtypes = new HashSet<>();
        for (ServeEvent served : azure.server.getAllServeEvents()) {
            if (served.getRequest().getUrl().startsWith(AzureFake.streamPath(stream))) {
                for (JsonNode row : json.readTree(served.getRequest().getBodyAsString())) {
                    logtypes.add(row.path(typeColumn).asText());
                    assertTrue(row.path("timestamp").isNumber(), "timestamp (epoch ms) as a number: " + row);
                    assertFalse(row.has("TimeGenerated"), "the rule stamps the ingestion time: " + row);
                }
            }
        }
        assertTrue(logtypes.stream().allMatch(t -> t.startsWith(logtypePrefix) && !t.isEmpty()), logtypes.toString());
        if (logType.equals("siem")) {
            assertEquals(Set.of("email_receipt", "email_process", "email_delivery", "email_antivirus", "email_spam",
                    "email_iep", "email_ttp_impersonation", "email_ttp_url", "email_ttp_ap", "email_journal"), logtypes);
        }
    }

    @org.junit.jupiter.api.Test
    void aFileOfManyBatchesResumesAfterItsLastDeliveredLine() throws Exception {
        System.setProperty("mimecast.batch-bytes", "6000"); // an hour's file (60 events) in about 5 requests
        try {
            azure.acceptUploads();
            azure.acceptThenFail("Custom-Seg_Cg", 3, 503);
            assertEquals(1, runOnce("siem"));
            JsonNode checkpoint = checkpoint("siem");
            Set<String> first = azure.deliveredIds("Custom-Seg_Cg").keySet();
            assertFalse(checkpoint.has("filesDone"), "the first file is not done");
            JsonNode inProgress = checkpoint.path("fileInProgress");
            assertTrue(inProgress.path("file").asText().endsWith(".json.gz"), checkpoint.toString());
            assertTrue(inProgress.path("lines").asLong() >= first.size(), "the lines of the three batches sent");
            assertTrue(inProgress.path("lines").asLong() < 60, "not the whole file");
            assertEquals(0, checkpoint.path("recentEventIds").size(), "the line says what was sent, no ids needed");

            azure.heal();
            assertEquals(0, runOnce("siem"));
            checkpoint = checkpoint("siem");
            long nextHour = Long.parseLong(new String(Base64.getUrlDecoder().decode(checkpoint.path("nextPage")
                    .asText()), StandardCharsets.UTF_8).substring("hour:".length()));
            Set<String> expected = simulator.events("/siem/v1/batch/events/cg").between(start.atStartOfDay(
                    ZoneOffset.UTC).toInstant(), Instant.ofEpochSecond(nextHour * 3600 - 1)).stream()
                    .map(e -> EventIds.of(e, null, KEY_FIELDS)).collect(Collectors.toSet());
            Map<String, Integer> delivered = azure.deliveredIds("Custom-Seg_Cg");
            assertEquals(expected, delivered.keySet(), "every event of every file");
            assertTrue(delivered.values().stream().allMatch(n -> n == 1), "none twice");
            assertFalse(checkpoint.has("fileInProgress"), "no file in progress once the files are done");
            assertEquals(0, checkpoint.path("recentEventIds").size());
        } finally {
            System.clearProperty("mimecast.batch-bytes");
        }
    }

    @org.junit.jupiter.api.Test
    void aCheckpointFromBeforeLinePositionsStillDropsTheIdsItHolds() throws Exception {
        // written by an older version in the middle of the first file: no fileInProgress, that file's ids instead
        Instant from = start.atStartOfDay(ZoneOffset.UTC).toInstant();
        List<com.fasterxml.jackson.databind.node.ObjectNode> firstFile = simulator.events("/siem/v1/batch/events/cg")
                .between(from, from.plusSeconds(3599));
        com.fasterxml.jackson.databind.node.ObjectNode old = json.createObjectNode().put("version", 1)
                .put("logType", "siem").put("startedFrom", from.toString()).put("deliveredTotal", 20);
        com.fasterxml.jackson.databind.node.ObjectNode ids = old.putObject("recentEventIds");
        Set<String> sentBefore = new HashSet<>();
        for (JsonNode event : firstFile.subList(0, 20)) {
            String id = EventIds.of(event, null, KEY_FIELDS);
            sentBefore.add(id);
            ids.put(id, event.path("timestamp").asLong() / 1000);
        }
        var container = new com.azure.storage.blob.BlobServiceClientBuilder()
                .connectionString(com.mimecastsentinel.support.Azurite.connectionString()).buildClient()
                .getBlobContainerClient(account.container);
        container.createIfNotExists();
        container.getBlobClient("checkpoints/siem.json").upload(com.azure.core.util.BinaryData.fromBytes(
                json.writeValueAsBytes(old)));

        // and that file's URL has expired once: the ids must outlive listing the page again
        simulator.expireOnce("/siem-files/cg/" + from.getEpochSecond() / 3600 + ".json.gz");
        azure.acceptUploads();
        long listingsBefore = simulator.apiRequests();
        assertEquals(0, runOnce("siem"));
        assertTrue(simulator.apiRequests() - listingsBefore >= 2, "listed again after the expired URL");
        Map<String, Integer> delivered = azure.deliveredIds("Custom-Seg_Cg");
        assertTrue(delivered.keySet().stream().noneMatch(sentBefore::contains), "what the old checkpoint held");
        Set<String> rest = firstFile.subList(20, firstFile.size()).stream()
                .map(e -> EventIds.of(e, null, KEY_FIELDS)).collect(Collectors.toSet());
        assertTrue(delivered.keySet().containsAll(rest), "the rest of that file");
        assertTrue(delivered.values().stream().allMatch(n -> n == 1), "none twice");
    }
}
