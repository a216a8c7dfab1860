package com.mimecastsentinel.logtypes;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.Application;
import com.mimecastsentinel.support.Azurite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rows Logs Ingestion refuses (400 for one row's content, 413 for size) and rows Log Analytics cannot hold
 * (a field over 64 KB) go to dead-letter; every other row is delivered once; a refusal of every row is a failure.
 */
@ExtendWith(Azurite.class)
class IngestionRejectionsTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void refusedAndOversizeRowsAreDeadLetteredTheRestDeliveredOnce() throws Exception {
        try (AuditFakes fakes = new AuditFakes(events -> {
            events.get(10).put("eventInfo", "POISON row the DCR transformation refuses");
            events.get(620).put("eventInfo", "x".repeat(70 * 1024));
            events.get(900).put("eventInfo", "TOOLARGE for the service");
        })) {
            fakes.azureFake.acceptUploads();
            fakes.azure.stubFor(post(urlPathEqualTo(AuditFakes.INGEST_PATH)).atPriority(1)
                    .withRequestBody(containing("POISON")).willReturn(aResponse().withStatus(400)
                            .withHeader("Content-Type", "application/json")
                            .withBody("{\"error\":{\"code\":\"InvalidArgument\",\"message\":\"row 0 is invalid\"}}")));
            fakes.azure.stubFor(post(urlPathEqualTo(AuditFakes.INGEST_PATH)).atPriority(1)
                    .withRequestBody(containing("TOOLARGE")).willReturn(aResponse().withStatus(413)));

            assertEquals(0, Application.run(fakes.properties()));
            Map<String, Integer> delivered = fakes.deliveredIds();
            assertEquals(AuditFakes.EVENTS - 3, delivered.size());
            assertTrue(delivered.values().stream().allMatch(n -> n == 1), "no row twice");
            assertFalse(delivered.containsKey("eNo-audit-10"));
            assertFalse(delivered.containsKey("eNo-audit-620"));
            assertFalse(delivered.containsKey("eNo-audit-900"));

            List<JsonNode> letters = deadLetters(fakes.container);
            assertEquals(3, letters.size());
            assertTrue(letters.stream().anyMatch(l -> l.path("source").asText().equals("eNo-audit-900")
                    && l.path("reason").asText().contains("HTTP 413")), "the row the service found too large");
            JsonNode refused = letters.stream().filter(l -> l.path("source").asText().equals("eNo-audit-10"))
                    .findFirst().orElseThrow();
            assertTrue(refused.path("reason").asText().contains("HTTP 400"), refused.path("reason").asText());
            assertTrue(refused.path("content").asText().contains("POISON"));
            JsonNode oversize = letters.stream().filter(l -> l.path("source").asText().equals("eNo-audit-620"))
                    .findFirst().orElseThrow();
            assertTrue(oversize.path("reason").asText().contains("over the 64 KB"));

            // the dead-lettered rows count as handled: a second run sends nothing again
            int uploads = fakes.uploads().size();
            assertEquals(0, Application.run(fakes.properties()));
            assertEquals(uploads, fakes.uploads().size());
        }
    }

    @Test
    void aBatchRefusedWholeIsASetUpErrorNotBadRows() throws Exception {
        try (AuditFakes fakes = new AuditFakes()) {
            fakes.azure.stubFor(post(urlPathEqualTo(AuditFakes.INGEST_PATH)).willReturn(aResponse().withStatus(400)));
            assertEquals(1, Application.run(fakes.properties()), "the run fails, nothing is dead-lettered");
            assertTrue(deadLetters(fakes.container).isEmpty());
        }
    }

    private List<JsonNode> deadLetters(String container) throws Exception {
        var client = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .getBlobContainerClient(container);
        List<JsonNode> letters = new ArrayList<>();
        for (var item : client.listBlobs()) {
            if (item.getName().startsWith("dead-letter/audit/")) {
                letters.add(json.readTree(client.getBlobClient(item.getName()).downloadContent().toBytes()));
            }
        }
        return letters;
    }
}
