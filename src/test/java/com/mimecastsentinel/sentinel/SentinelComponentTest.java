package com.mimecastsentinel.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.run.ConnectorMetrics;
import com.mimecastsentinel.transform.RowBatch;
import org.apache.camel.AsyncProducer;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
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
        camel.addComponent("sentinel", new SentinelComponent(dcr -> destination, workspace -> destination, letters,
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

    @Test
    void theNextBatchIsReadiedWhileTheOneBeforeIsSentAndSentAfterIt() throws Exception {
        List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread caller = Thread.currentThread();
        CountDownLatch sending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Destination slow = new Destination() {
            @Override
            public List<Rejected> send(String stream, RowBatch rows) {
                String batch = rows.id(0);
                events.add("send " + batch);
                if (batch.equals("id-0")) {
                    sending.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                events.add("sent " + batch);
                return List.of();
            }

            @Override
            public Request ready(String stream, RowBatch rows) {
                events.add("ready " + rows.id(0) + " on " + (Thread.currentThread() == caller ? "the route" : "?"));
                return Destination.super.ready(stream, rows);
            }

            @Override
            public String describe() {
                return "slow";
            }
        };
        camel.addComponent("slow", new SentinelComponent(dcr -> slow, workspace -> slow, null,
                new ConnectorMetrics(Clock.systemUTC()), 10_000));
        AsyncProducer sentinel = camel.getEndpoint("slow:Custom-Test").createAsyncProducer();
        sentinel.start();
        Exchange first = new DefaultExchange(camel);
        first.getMessage().setBody(rows(1, 50));
        Exchange second = new DefaultExchange(camel);
        RowBatch next = new RowBatch();
        byte[] json = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
        next.add(json, 0, json.length, "id-1", 1_000);
        second.getMessage().setBody(next);
        CountDownLatch done = new CountDownLatch(2);
        List<String> completed = java.util.Collections.synchronizedList(new ArrayList<>());

        assertFalse(sentinel.process(first, sync -> {
            completed.add("first");
            done.countDown();
        }), "sent on the producer's thread");
        assertTrue(sending.await(10, TimeUnit.SECONDS));
        sentinel.process(second, sync -> {
            completed.add("second");
            done.countDown();
        });
        try {
            assertEquals(List.of("ready id-0 on the route", "send id-0", "ready id-1 on the route"),
                    List.copyOf(events), "the second batch readied on the route's thread while the first is being sent");
        } finally {
            release.countDown();
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("ready id-0 on the route", "send id-0", "ready id-1 on the route", "sent id-0",
                "send id-1", "sent id-1"), List.copyOf(events), "sent one after the other, in order");
        assertEquals(List.of("first", "second"), List.copyOf(completed), "completed in the order they came");
        assertEquals(1, second.getMessage().getHeader(SentinelEndpoint.ROWS_ACCEPTED));
        sentinel.stop();
    }
}
