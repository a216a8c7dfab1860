package com.mimecastsentinel.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.run.ConnectorMetrics;
import com.mimecastsentinel.transform.RowBatch;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code sentinel:} endpoint with a recording destination in place of the Logs Ingestion API. */
class SentinelComponentTest {
    private final List<RowBatch> requests = new ArrayList<>();
    private final List<String> deadLetters = new ArrayList<>();
    private DefaultCamelContext camel;
    private ProducerTemplate producer;

    /** Accepts every request; refuses, for their content, rows that hold "refused". */
    private final Destination destination = new Destination() {
        @Override
        public List<Rejected> send(String stream, RowBatch rows) {
            requests.add(rows);
            List<Rejected> rejected = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                if (new String(rows.json(i), StandardCharsets.UTF_8).contains("refused")) {
                    rejected.add(new Rejected(rows, i, "HTTP 400: not a valid row"));
                }
            }
            return rejected;
        }

        @Override
        public String describe() {
            return "recording";
        }
    };

    @BeforeEach
    void start() {
        camel = new DefaultCamelContext();
        DeadLetters letters = new DeadLetters(new DeadLetters.Store() {
            @Override
            public boolean write(String name, byte[] document) {
                return deadLetters.add(new String(document, StandardCharsets.UTF_8));
            }

            @Override
            public String describe() {
                return "memory";
            }
        }, Clock.systemUTC(), new com.fasterxml.jackson.databind.ObjectMapper(), logType -> { });
        camel.addComponent("sentinel", new SentinelComponent(dcr -> destination, () -> destination, letters,
                new ConnectorMetrics(Clock.systemUTC()), 10_000));
        camel.start();
        producer = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    private static RowBatch rows(int count, int bytes) {
        RowBatch rows = new RowBatch();
        for (int i = 0; i < count; i++) {
            String padding = "x".repeat(Math.max(0, bytes - 20));
            byte[] json = ("{\"n\":" + i + ",\"p\":\"" + padding + "\"}").getBytes(StandardCharsets.UTF_8);
            rows.add(json, 0, json.length, "id-" + i, 1_000L * i);
        }
        return rows;
    }

    private Exchange send(RowBatch rows) {
        return producer.send("sentinel:Custom-Test", exchange -> exchange.getMessage().setBody(rows));
    }

    @Test
    void aBatchUnderTheLimitIsOneRequestAndABiggerOneIsCutUnderIt() {
        Exchange small = send(rows(10, 500));
        assertEquals(1, requests.size());
        assertEquals(10, small.getMessage().getHeader(SentinelEndpoint.ROWS_ACCEPTED));

        requests.clear();
        Exchange big = send(rows(100, 500));
        assertTrue(requests.size() >= 5, "about 50 KB in requests of at most 10 KB: " + requests.size());
        for (RowBatch request : requests) {
            long bytes = 2;
            for (int i = 0; i < request.size(); i++) {
                bytes += request.jsonLength(i) + 1;
            }
            assertTrue(bytes <= 10_000, "each request under the limit: " + bytes);
        }
        assertEquals(100, requests.stream().mapToInt(RowBatch::size).sum());
        assertEquals(100, big.getMessage().getHeader(SentinelEndpoint.ROWS_ACCEPTED));
        long bytes = 0;
        for (RowBatch request : requests) {
            bytes += 2;
            for (int i = 0; i < request.size(); i++) {
                bytes += request.jsonLength(i) + 1;
            }
        }
        assertEquals(bytes, big.getMessage().getHeader(SentinelEndpoint.BYTES_ACCEPTED, Long.class),
                "the bytes of the requests accepted");
        assertEquals(Instant.ofEpochMilli(99_000), big.getMessage().getHeader(SentinelEndpoint.NEWEST_EVENT),
                "the newest event accepted, for the checkpoint");
    }

    @Test
    void rowsTheDestinationRefusesAndRowsNoRequestCanCarryGoToTheDeadLetters() {
        RowBatch batch = rows(3, 100);
        byte[] refused = "{\"n\":9,\"why\":\"refused\"}".getBytes(StandardCharsets.UTF_8);
        batch.add(refused, 0, refused.length, "id-9", 0);
        byte[] huge = ("{\"n\":10,\"p\":\"" + "y".repeat(12_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        batch.add(huge, 0, huge.length, "id-10", 0);
        Exchange exchange = send(batch);
        assertEquals(3, exchange.getMessage().getHeader(SentinelEndpoint.ROWS_ACCEPTED));
        assertEquals(2, deadLetters.size());
        assertTrue(deadLetters.stream().anyMatch(d -> d.contains("over the 9998 bytes one ingestion request takes")),
                deadLetters.toString());
        assertTrue(deadLetters.stream().anyMatch(d -> d.contains("refused by the destination: HTTP 400")),
                deadLetters.toString());
        assertEquals(2, exchange.getMessage().getHeader(SentinelEndpoint.ROWS_DEAD_LETTERED));
    }
}
