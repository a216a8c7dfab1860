package com.mimecastsentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.AzureFake;
import com.mimecastsentinel.support.ConnectorProcess;
import com.mimecastsentinel.support.Settings4Tests;
import com.mimecastsentinel.support.SimulatedAccount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user changes in YAML alone, each edit as docs/customising-routes.md shows it, made to a copy of routes/ that
 * the connector then runs against the simulator and the Azure fakes: in this JVM with that copy's routes (RUN_ONCE),
 * and in its own JVM for the schedule.
 */
@ExtendWith(Azurite.class)
class CustomisedRoutesTest {
    private final ObjectMapper json = new ObjectMapper();
    private SimulatedAccount account;
    private ConnectorProcess connector;

    @TempDir
    Path work;

    @BeforeEach
    void start() throws Exception {
        account = new SimulatedAccount(Duration.ofMinutes(10));
        account.azure.acceptUploads();
        connector = new ConnectorProcess(work);
    }

    @AfterEach
    void stop() {
        account.close();
    }

    /** Replaces {@code before} by {@code after} in a file of the copied routes; the text must be there. */
    private void edit(String file, String before, String after) throws Exception {
        Path path = work.resolve("routes").resolve(file);
        String text = Files.readString(path);
        assertTrue(text.contains(before), file + " has the text the docs edit:\n" + before);
        Files.writeString(path, text.replace(before, after));
    }

    /** A RUN_ONCE run of the edited routes (the copy's, in place of the project's). */
    private int runOnce(String logType, Map<String, String> extra) {
        java.util.Properties settings = Settings4Tests.properties(account.environment(logType, extra));
        settings.put("camel.main.routes-include-pattern", "file:" + work.resolve("routes") + "/*.yaml");
        return Application.run(settings);
    }

    /** The rows of the accepted uploads to a stream. */
    private List<JsonNode> rows(String stream) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        for (ServeEvent served : account.azure.server.getAllServeEvents()) {
            if (served.getRequest().getUrl().startsWith(AzureFake.streamPath(stream))
                    && served.getResponse().getStatus() == 204) {
                json.readTree(served.getRequest().getBodyAsString()).forEach(rows::add);
            }
        }
        return rows;
    }

    @Test
    void dropRecordsByAFieldValueAndTheCheckpointStillMovesPastThem() throws Exception {
        edit("siem.yaml", """
                - beans:
                """, """
                - beans:
                    - name: dropAcceptedReceipts
                      type: "#class:com.mimecastsentinel.transform.DropRows"
                      properties:
                        when: "${body[Logtype]} == 'email_receipt' && ${body[action]} == 'Acc'"
                """);
        edit("siem.yaml", """
                        # your steps go here (docs/customising-routes.md): drop rows, add columns, send a copy elsewhere
                """, """
                        - process:
                            ref: dropAcceptedReceipts
                """);
        assertEquals(0, runOnce("siem", Map.of()));

        List<JsonNode> rows = rows("Custom-Seg_Cg");
        assertTrue(rows.stream().noneMatch(r -> r.path("Logtype").asText().equals("email_receipt")
                && r.path("action").asText().equals("Acc")), "no accepted receipt was sent");
        assertTrue(rows.stream().anyMatch(r -> r.path("Logtype").asText().equals("email_receipt")),
                "other receipts were");
        assertTrue(rows.stream().anyMatch(r -> !r.path("Logtype").asText().equals("email_receipt")),
                "other types were");
        JsonNode checkpoint = account.checkpoint("siem");
        assertTrue(checkpoint.hasNonNull("nextPage"), "the listing moved on past the dropped events");
        assertFalse(checkpoint.has("fileInProgress"), "no file is left half read");

        int sent = rows.size();
        assertEquals(0, runOnce("siem", Map.of()));
        assertEquals(sent, rows("Custom-Seg_Cg").size(), "nothing read again");
    }

    @Test
    void addAndRenameColumns() throws Exception {
        edit("audit.yaml", """
                - beans:
                """, """
                - beans:
                    - name: auditColumns
                      type: "#class:com.mimecastsentinel.transform.SetColumns"
                      properties:
                        columns:
                          Tenant: contoso
                          Actor: "${body[user]}"
                          user: ""
                """);
        edit("audit.yaml", """
                        # your steps go here (docs/customising-routes.md): drop rows, add columns, send a copy elsewhere
                """, """
                        - process:
                            ref: auditColumns
                """);
        assertEquals(0, runOnce("audit", Map.of()));

        List<JsonNode> rows = rows("Custom-Audit");
        assertFalse(rows.isEmpty());
        for (JsonNode row : rows) {
            assertEquals("contoso", row.path("Tenant").asText(), row.toString());
            assertTrue(row.path("Actor").asText().endsWith("@example.com"), row.toString());
            assertFalse(row.has("user"), "user is renamed to Actor: " + row);
            assertTrue(row.hasNonNull("mimecastEventId") && row.hasNonNull("eventTime"), row.toString());
        }
    }

    @Test
    void aCopyToAFileAndTheCheckpointMovesOnlyWhenBothAccepted() throws Exception {
        Path copies = work.resolve("copies");
        edit("audit.yaml", """
                        # your steps go here (docs/customising-routes.md): drop rows, add columns, send a copy elsewhere
                """, """
                        - to:
                            uri: "file:%s"
                            parameters:
                              fileName: audit.ndjson
                              fileExist: Append
                """.formatted(copies));
        // the copy cannot be written (its folder is a file): nothing is sent, the checkpoint does not move
        Files.writeString(copies, "in the way");
        assertEquals(1, runOnce("audit", Map.of()), "a failed copy fails the run");
        assertTrue(rows("Custom-Audit").isEmpty(), "Sentinel got nothing the copy does not have");
        JsonNode before = account.checkpointIfAny("audit");
        assertTrue(before == null || !before.has("completedUntil"), "the checkpoint did not move");

        Files.delete(copies);
        assertEquals(0, runOnce("audit", Map.of()));
        Set<String> copied = Files.readAllLines(copies.resolve("audit.ndjson")).stream()
                .map(line -> readTree(line).path("mimecastEventId").asText()).collect(Collectors.toSet());
        Set<String> sent = rows("Custom-Audit").stream().map(r -> r.path("mimecastEventId").asText())
                .collect(Collectors.toSet());
        assertFalse(sent.isEmpty());
        assertEquals(sent, copied, "the copy holds what Sentinel holds");
        assertTrue(account.checkpoint("audit").has("completedUntil"));
    }

    @Test
    void aLogTypesScheduleChangedInItsRoute() throws Exception {
        edit("audit.yaml", """
                        scheduler.cron: "{{env:SCHEDULE_AUDIT:{{schedule}}}}"
                """, """
                        scheduler.cron: "0/2 * * * * ?"
                """);
        Map<String, String> env = new HashMap<>(account.environment("audit", Map.of("RUN_ONCE", "false")));
        Process process = connector.start(env, "scheduled");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long runs = 0;
            while (runs < 3 && System.nanoTime() < deadline) {
                Thread.sleep(500);
                runs = Files.readAllLines(connector.log("scheduled")).stream()
                        .filter(line -> line.contains("audit: run complete")).count();
            }
            assertTrue(runs >= 3, "runs every 2 s (the default SCHEDULE is every 10 minutes): " + runs);
        } finally {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aNewPagedEndpointAsALogTypeWithOneFile() throws Exception {
        Files.writeString(work.resolve("routes/held-messages.yaml"), """
                # Messages in the held queue -> Sentinel table Held_Messages_CL (DCR stream Custom-Held_Messages).
                - beans:
                    - name: held-messages-source
                      type: "#class:com.mimecastsentinel.source.PagedSource"
                      properties:
                        path: /api/gateway/get-hold-message-list
                        records: /data
                        startFilter: start
                        endFilter: end
                        filters: '{"admin": true}'
                    - name: held-messages-mapping
                      type: "#class:com.mimecastsentinel.transform.RowMapping"
                      properties:
                        time: dateReceived
                        id: id

                - route:
                    id: held-messages
                    routePolicy: mimecastRuns,leadership
                    from:
                      uri: mimecast:held-messages
                      parameters:
                        source: "#held-messages-source"
                        scheduler: quartz
                        scheduler.cron: "{{env:SCHEDULE_HELD_MESSAGES:{{schedule}}}}"
                      steps:
                        - process:
                            ref: held-messages-mapping
                        - process:
                            ref: dropDelivered
                        - to: "sentinel:Custom-Held_Messages"
                """);
        assertEquals(0, runOnce("held-messages", Map.of()));
        Instant from = account.start.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant until = Instant.parse(account.checkpoint("held-messages").path("completedUntil").asText());
        Set<String> expected = account.simulator.events("/api/gateway/get-hold-message-list").between(from, until)
                .stream().map(e -> e.path("id").asText()).collect(Collectors.toSet());
        Set<String> sent = rows("Custom-Held_Messages").stream().map(r -> r.path("mimecastEventId").asText())
                .collect(Collectors.toSet());
        assertFalse(expected.isEmpty());
        assertEquals(expected, sent, "every held message, once");
        assertNotEquals(0, account.checkpoint("held-messages").path("deliveredTotal").asLong());
    }

    private JsonNode readTree(String line) {
        try {
            return json.readTree(line);
        } catch (java.io.IOException e) {
            throw new AssertionError(line, e);
        }
    }
}
