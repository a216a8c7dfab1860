package com.mimecastsentinel.logtypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.demo.MimecastSimulator;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.SimulatedAccount;
import com.mimecastsentinel.transform.EventIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SIEM through API 1.0 with HMAC-signed requests (the simulator checks the signature): one zip a call through
 * the mc-siem-token header, a corrupt file passed over without stalling, a failed upload resumed, every other
 * event once.
 */
@ExtendWith(Azurite.class)
class SiemLegacyTest {
    private static final Map<String, String> LOGTYPES = Map.of("receipt", "email_receipt", "process",
            "email_process", "jrnl", "email_journal");

    private static final Map<String, String> LEGACY = Map.of("MIMECAST_CLIENT_ID", "", "MIMECAST_CLIENT_SECRET", "",
            "MIMECAST_APP_ID", MimecastSimulator.DEMO_APP_ID, "MIMECAST_APP_KEY", MimecastSimulator.DEMO_APP_KEY,
            "MIMECAST_ACCESS_KEY", MimecastSimulator.DEMO_ACCESS_KEY,
            "MIMECAST_SECRET_KEY", MimecastSimulator.DEMO_SECRET_KEY);

    /**
     * A file is read within MIMECAST_MAX_ANSWER_BYTES, as it comes and as its zip members inflate: a bigger one is
     * dead-lettered (its first bytes, size and SHA-256) and the stream moves on with its token; the files after it
     * are read as usual.
     */
    @Test
    void filesBeyondTheAnswerBoundArePassedOverAndTheOthersRead() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(10))) {
            account.azure.acceptUploads();
            byte[] random = new byte[100_000];
            new java.util.Random(7).nextBytes(random);
            account.simulator.padLegacyFile(2, random); // the third file: 100 KB as it comes
            account.simulator.padLegacyFile(5, ("{\"data\":[],\"pad\":\"" + "x".repeat(200_000) + "\"}")
                    .getBytes(StandardCharsets.UTF_8)); // the sixth: small, with a member inflating to 200 KB
            Map<String, String> env = new java.util.HashMap<>(LEGACY);
            env.put("MIMECAST_MAX_ANSWER_BYTES", "64KiB");
            long firstHour = Instant.now().getEpochSecond() / 3600 - 24;
            assertEquals(0, account.runOnce("siem-legacy", env), "the stream moves on");

            List<JsonNode> letters = account.deadLetters("siem-legacy");
            assertEquals(2, letters.size(), "the two files, and no other: " + letters);
            java.time.format.DateTimeFormatter hourly = java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHH")
                    .withZone(java.time.ZoneOffset.UTC);
            String third = "jrnl_" + hourly.format(Instant.ofEpochSecond(firstHour * 3600));
            String sixth = "jrnl_" + hourly.format(Instant.ofEpochSecond((firstHour + 1) * 3600));
            JsonNode big = letters.stream().filter(l -> l.path("source").asText().startsWith(third)).findFirst()
                    .orElseThrow(() -> new AssertionError(third + ": " + letters));
            assertTrue(big.path("reason").asText().contains("bigger than MIMECAST_MAX_ANSWER_BYTES"), big.toString());
            assertTrue(big.path("contentBytes").asLong() > 100_000, "the size as it came");
            assertTrue(big.path("contentSha256").asText().matches("[0-9a-f]{64}"));
            JsonNode inflating = letters.stream().filter(l -> l.path("source").asText().startsWith(sixth))
                    .findFirst().orElseThrow(() -> new AssertionError(sixth + ": " + letters));
            assertTrue(inflating.path("reason").asText().contains("inflate beyond MIMECAST_MAX_ANSWER_BYTES"),
                    inflating.toString());

            // every event of every other file
            JsonNode checkpoint = account.checkpoint("siem-legacy");
            long lastHour = Long.parseLong(new String(Base64.getUrlDecoder().decode(checkpoint.path("nextPage")
                    .asText()), StandardCharsets.UTF_8)) / 3;
            Set<String> expected = account.simulator.legacyEvents(Instant.ofEpochSecond(firstHour * 3600),
                    Instant.ofEpochSecond(lastHour * 3600 - 1)).stream()
                    .filter(e -> !Set.of(third, sixth).contains(e.path("kind").asText() + "_" + hourly.format(
                            Instant.parse(e.path("datetime").asText().replace("+0000", "Z")))))
                    .map(e -> {
                        ObjectNode row = e.deepCopy();
                        row.put("Logtype", LOGTYPES.get(row.remove("kind").asText()));
                        return EventIds.of(row, null, List.of("*"));
                    }).collect(Collectors.toSet());
            assertEquals(expected, account.azure.deliveredIds("Custom-Seg_Cg").keySet(), "the others whole");
        }
    }

    @Test
    void signedFileByFileWithACorruptFilePassedOver() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(10))) {
            Map<String, String> legacy = LEGACY;
            long firstHour = Instant.now().getEpochSecond() / 3600 - 24;
            account.azure.acceptUploads();
            account.azure.acceptThenFail("Custom-Seg_Cg", 5, 400);
            account.simulator.corruptNextLegacyFile();

            assertEquals(1, account.runOnce("siem-legacy", legacy), "the failed upload fails the run");
            assertTrue(account.checkpoint("siem-legacy").hasNonNull("nextPage"), "files before it are committed");
            account.azure.heal();
            assertEquals(0, account.runOnce("siem-legacy", legacy));
            assertEquals(0, account.runOnce("siem-legacy", legacy));

            JsonNode checkpoint = account.checkpoint("siem-legacy");
            long position = Long.parseLong(new String(Base64.getUrlDecoder().decode(checkpoint.path("nextPage")
                    .asText()), StandardCharsets.UTF_8));
            long lastHour = position / 3; // every file before this hour was served
            List<ObjectNode> served = account.simulator.legacyEvents(Instant.ofEpochSecond(firstHour * 3600),
                    Instant.ofEpochSecond(lastHour * 3600 - 1));
            Set<String> expected = served.stream()
                    .filter(e -> !(e.path("kind").asText().equals("receipt")
                            && Instant.parse(e.path("datetime").asText().replace("+0000", "Z"))
                                    .isBefore(Instant.ofEpochSecond(firstHour * 3600 + 3600))))
                    .map(e -> {
                        ObjectNode row = e.deepCopy();
                        row.put("Logtype", LOGTYPES.get(row.remove("kind").asText()));
                        return EventIds.of(row, null, List.of("*"));
                    }).collect(Collectors.toSet());
            Map<String, Integer> delivered = account.azure.deliveredIds("Custom-Seg_Cg");
            assertEquals(expected, delivered.keySet(), "every event but the corrupt file's");
            assertTrue(delivered.values().stream().allMatch(n -> n == 1), "no event twice");
            for (JsonNode row : account.azure.deliveredRows("Custom-Seg_Cg")) {
                assertEquals(Instant.parse(row.path("AdditionalFields").path("datetime").asText()
                        .replace("+0000", "Z")).toEpochMilli(), row.path("timestamp").asLong(),
                        "the API 1.0 time as API 2.0's timestamp, in epoch milliseconds");
            }
            List<JsonNode> deadLetters = account.deadLetters("siem-legacy");
            assertEquals(1, deadLetters.size(), "the corrupt file");
            assertTrue(deadLetters.get(0).path("source").asText().startsWith("receipt_"));
            assertTrue(deadLetters.get(0).path("reason").asText().startsWith("corrupt SIEM file"));
            assertEquals("base64", deadLetters.get(0).path("contentEncoding").asText(), "the raw bytes, kept");
        }
    }
}
