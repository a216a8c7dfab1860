package com.mimecastsentinel.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.ConnectorServices;
import com.mimecastsentinel.checkpoint.CheckpointRepository;
import com.mimecastsentinel.checkpoint.FileCheckpointStore;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.deadletter.FileDeadLetterStore;
import com.mimecastsentinel.run.ConnectorMetrics;
import com.mimecastsentinel.transform.Lines;
import org.apache.camel.Exchange;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/**
 * The mimecast component on its own (Camel's test kit): its consumer over a Mimecast API answered by a test route
 * in place of routes/mimecast-api.yaml, the route under test ending in a mock endpoint instead of Sentinel.
 */
class MimecastComponentTest extends CamelTestSupport {
    private static final ObjectMapper JSON = com.mimecastsentinel.ConnectorConfiguration.jsonMapper();
    /** Never in these tests: the runs are the start-up run and the ones a test starts. */
    private static final String NO_CRON = "scheduler=quartz&scheduler.cron=0+0+0+1+1+?+2099";

    private final Path dir = temporaryDirectory();
    /** Page token (or "first") -> the page's record ids and its next token (null on the last page). */
    private final Map<String, List<String>> pages = Map.of("first", List.of("a", "b", "t2"), "t2",
            List.of("c", "d", "t3"), "t3", List.of("e"));
    /** The files asked for, in order; a download waits while its file is gated. */
    private final List<String> downloads = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger inRoute = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger mostInRoute = new java.util.concurrent.atomic.AtomicInteger();
    /** The base URL of each call's account, as the Mimecast routes get it. */
    private final List<String> accounts = new CopyOnWriteArrayList<>();
    private volatile boolean failSecondFile;
    /** The download of file 2 waits until a batch of the run failed. */
    private volatile boolean holdSecondFile;
    private final java.util.concurrent.atomic.AtomicInteger failedChunks = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int downloadsWhenFailed;
    private final java.util.concurrent.atomic.AtomicInteger handedOver = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int handedOverWhenFailed;
    /** The route fails the exchange of this page, when set. */
    private volatile int failPage;
    /** When the run asks for this page token, the route is stopped and the call then fails. */
    private volatile String stopAtToken;
    private CheckpointRepository checkpoints;
    /** While set, each call of the account "stuck" waits for it: an API that hangs. */
    private volatile java.util.concurrent.CountDownLatch hang;
    private final java.util.concurrent.atomic.AtomicInteger hanging = new java.util.concurrent.atomic.AtomicInteger();

    private static Path temporaryDirectory() {
        try {
            Path dir = Files.createTempDirectory("mimecast-component");
            Files.createDirectories(dir.resolve("checkpoints"));
            Files.createDirectories(dir.resolve("dead-letters"));
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        Settings settings = new Settings(key -> Optional.ofNullable(Map.of("start-date",
                Instant.now().minus(Duration.ofHours(1)).toString(), "mimecast.max-line-bytes", "4096").get(key)),
                name -> null);
        Clock clock = Clock.systemUTC();
        checkpoints = new CheckpointRepository(new FileCheckpointStore(dir.resolve("checkpoints")), settings.overlap,
                clock, JSON, Duration.ofSeconds(5), "");
        DeadLetters deadLetters = new DeadLetters(new FileDeadLetterStore(dir.resolve("dead-letters")), clock, JSON,
                logType -> { });
        registry.bind(ConnectorServices.BEAN, new ConnectorServices(settings, checkpoints, deadLetters,
                new ConnectorMetrics(clock), clock, JSON, new FileUrls(List.of(), List.of())));
        registry.bind(MimecastAccount.BEAN, new MimecastAccount("https://api.services.mimecast.com", null));
        registry.bind("other-account", new MimecastAccount("https://uk-api.services.mimecast.com", null));
        registry.bind("stuck-account", new MimecastAccount("stuck", "https://stuck.example.com", null,
                com.mimecastsentinel.sentinel.Target.SETTINGS, null, java.util.Set.of()));
        PagedSource audit = new PagedSource();
        audit.setPath("/api/audit/get-audit-events");
        audit.setStartFilter("startDateTime");
        audit.setEndFilter("endDateTime");
        registry.bind("audit-source", audit);
        com.mimecastsentinel.transform.RowMapping mapping = new com.mimecastsentinel.transform.RowMapping();
        mapping.setId("id");
        mapping.setTime("eventTime");
        registry.bind("audit-mapping", mapping);
        registry.bind("dropDelivered", new com.mimecastsentinel.checkpoint.DropDelivered(checkpoints));
        BatchSource siem = new BatchSource();
        siem.setPath("/siem/v1/batch/events/cg");
        siem.setEventTypes("receipt");
        siem.setChunkBytes(4000); // a chunk of about 20 of the lines below (each line also costs what its row adds)
        registry.bind("siem-source", siem);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                // Mimecast: the audit pages by token, one SIEM listing page of two files, the files as gzip streams
                from("direct:mimecast-call").process(this::answer);
                from("direct:mimecast-download").process(exchange -> {
                    String url = exchange.getVariable(BatchSource.FILE_URL, String.class);
                    downloads.add(url);
                    if (failSecondFile && url.contains("/2.json.gz")) {
                        throw new IllegalStateException("the download of file 2 fails");
                    }
                    if (holdSecondFile && url.contains("/2.json.gz")) {
                        holdSecondFile = false;
                        // the consumer is reading the chunk this file ends: it comes once chunk 1 has failed
                        MimecastConsumer consumer = (MimecastConsumer) context.getRoute("siem-fails").getConsumer();
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                        while ((consumer.lastRun() == null || consumer.lastRun().failure == null)
                                && System.nanoTime() < deadline) {
                            Thread.sleep(20);
                        }
                        Thread.sleep(100); // past the failure's handling
                    }
                    exchange.getMessage().setBody(new ByteArrayInputStream(files.get(url)));
                });

                from("mimecast:audit?source=#audit-source&" + NO_CRON).routeId("audit").autoStartup(false)
                        .process(exchange -> {
                            if (exchange.getMessage().getHeader(Batch.PAGE, Integer.class) == failPage) {
                                throw new IllegalStateException("the route fails page " + failPage);
                            }
                        })
                        .to("mock:audit");
                // the same source as another log type, through the mapping and the repository step
                from("mimecast:held-release?source=#audit-source&" + NO_CRON).routeId("held-release")
                        .autoStartup(false)
                        .process("audit-mapping")
                        .process("dropDelivered")
                        .process(exchange -> {
                            if (exchange.getMessage().getHeader(Batch.PAGE, Integer.class) == failPage) {
                                throw new IllegalStateException("the route fails page " + failPage);
                            }
                        })
                        .to("mock:held-release");
                // a sink that sends on a thread of its own, in order, as the sentinel producer does
                from("mimecast:siem-ahead?source=#siem-source&" + NO_CRON).routeId("siem-ahead").autoStartup(false)
                        .process(exchange -> {
                            int now = inRoute.incrementAndGet();
                            mostInRoute.accumulateAndGet(now, Math::max);
                            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                                @Override
                                public void onDone(Exchange done) {
                                    inRoute.decrementAndGet();
                                }
                            });
                        })
                        .threads(1, 1).maxQueueSize(10)
                        .delay(100).syncDelayed()
                        .to("mock:siem-ahead");
                from("mimecast:siem?source=#siem-source&" + NO_CRON).routeId("siem").autoStartup(false)
                        .to("mock:siem");
                // a sink on a thread of its own that fails the first chunk once the next one is being read
                from("mimecast:siem-fails?source=#siem-source&" + NO_CRON).routeId("siem-fails").autoStartup(false)
                        .process(exchange -> handedOver.incrementAndGet())
                        .threads(1, 1).maxQueueSize(10)
                        .process(exchange -> {
                            if (failedChunks.get() == 0) {
                                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                                while (downloads.size() < 2 && System.nanoTime() < deadline) {
                                    Thread.sleep(20); // until the reader is at file 2: the consumer waits on it
                                }
                                downloadsWhenFailed = downloads.size();
                                handedOverWhenFailed = handedOver.get();
                                failedChunks.incrementAndGet();
                                throw new IllegalStateException("the sink fails chunk 1");
                            }
                        })
                        .to("mock:siem-fails");
            }

            private void answer(Exchange exchange) throws IOException, InterruptedException {
                accounts.add(exchange.getVariable(MimecastAccount.VARIABLE, MimecastAccount.class).baseUrl());
                java.util.concurrent.CountDownLatch stuck = hang;
                if (stuck != null && "stuck".equals(exchange.getVariable(MimecastAccount.VARIABLE,
                        MimecastAccount.class).name())) {
                    hanging.incrementAndGet();
                    try {
                        stuck.await(60, TimeUnit.SECONDS);
                    } finally {
                        hanging.decrementAndGet();
                    }
                }
                String path = exchange.getVariable(MimecastCalls.PATH, String.class);
                ObjectNode answer = JSON.createObjectNode();
                if (path.startsWith("/siem")) {
                    ArrayNode value = answer.putArray("value");
                    value.addObject().put("url", "https://files.example.com/1.json.gz?sig=x");
                    value.addObject().put("url", "https://files.example.com/2.json.gz?sig=y");
                    answer.put("@nextPage", "p2").put("isCaughtUp", true);
                } else {
                    JsonNode request = JSON.readTree(exchange.getMessage().getBody(byte[].class));
                    String token = request.path("meta").path("pagination").path("pageToken").asText("first");
                    if (token.equals(stopAtToken)) {
                        stopUnderTheRun();
                    }
                    List<String> page = pages.get(token);
                    ArrayNode data = answer.putArray("data");
                    for (String id : page) {
                        if (!id.startsWith("t")) {
                            data.addObject().put("id", id).put("eventTime", Instant.now().toString());
                        }
                    }
                    String next = page.get(page.size() - 1);
                    answer.putObject("meta").putObject("pagination").put("next", next.startsWith("t") ? next : null);
                }
                exchange.getMessage().setBody(answer);
            }
        };
    }

    /**
     * Stops the audit route while its run waits on this call, then fails the call once the consumer is stopping:
     * what a stopping route's released lease makes the run's next step do ("no longer leads").
     */
    private void stopUnderTheRun() throws InterruptedException {
        MimecastConsumer consumer = (MimecastConsumer) context.getRoute("audit").getConsumer();
        Thread stopper = new Thread(() -> {
            try {
                context.getRouteController().stopRoute("audit");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        stopper.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (consumer.isRunAllowed() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        throw new IllegalStateException("audit: this instance no longer leads this log type (its lease lapsed)");
    }

    private MimecastConsumer start(String logType) throws Exception {
        context.getRouteController().startRoute(logType);
        return (MimecastConsumer) context.getRoute(logType).getConsumer();
    }

    private String checkpointFile(String logType) throws IOException {
        Path file = dir.resolve("checkpoints").resolve(logType + ".json");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private JsonNode checkpoint(String logType) throws IOException {
        return JSON.readTree(dir.resolve("checkpoints").resolve(logType + ".json").toFile());
    }

    @Test
    void aRunHandsTheRouteOneExchangePerPageWithItsHeaders() throws Exception {
        MockEndpoint audit = getMockEndpoint("mock:audit");
        audit.expectedMessageCount(3);
        audit.expectedHeaderValuesReceivedInAnyOrder(Batch.PAGE, 1, 2, 3);
        start("audit"); // the start-up run
        audit.assertIsSatisfied(10_000);
        List<Integer> sizes = audit.getExchanges().stream().map(e -> e.getMessage().getBody(List.class).size()).toList();
        assertEquals(List.of(2, 2, 1), sizes, "a page's records are one exchange's body");
        Exchange first = audit.getExchanges().get(0);
        assertEquals("audit", first.getMessage().getHeader(Batch.LOG_TYPE));
        assertInstanceOf(Instant.class, first.getMessage().getHeader(Batch.WINDOW_START));
        await(() -> checkpointFile("audit").contains("completedUntil")); // the run commits the page done last
        JsonNode checkpoint = checkpoint("audit");
        assertTrue(checkpoint.path("window").isNull() || checkpoint.path("window").isMissingNode(),
                "the window read to its end: " + checkpoint);
        assertTrue(checkpoint.hasNonNull("completedUntil"), checkpoint.toString());
    }

    @Test
    void aFailedExchangeLeavesTheCheckpointBeforeItsBatchAndTheNextRunResumesThere() throws Exception {
        failPage = 2;
        MockEndpoint audit = getMockEndpoint("mock:audit");
        audit.expectedMessageCount(1);
        MimecastConsumer consumer = start("audit");
        audit.assertIsSatisfied(10_000);
        awaitRunEnd(consumer);
        assertInstanceOf(IllegalStateException.class, consumer.lastRun().failure, () -> "the run ended on the failure: "
                + stackTrace(consumer.lastRun().failure));
        assertEquals("t2", checkpoint("audit").path("window").path("pageToken").asText(),
                "the checkpoint stands after page 1, before the failed page 2");

        failPage = 0;
        audit.reset();
        audit.expectedMessageCount(2);
        runNext(consumer); // the schedule's next run
        audit.assertIsSatisfied(10_000);
        assertEquals(List.of("c", "d", "e"), audit.getExchanges().stream()
                .flatMap(e -> ((List<?>) e.getMessage().getBody(List.class)).stream())
                .map(record -> ((JsonNode) record).path("id").asText()).toList(), "page 2 again, then page 3");
        assertNull(consumer.lastRun().failure);
    }

    @Test
    void theRepositoryStepDropsWhatWasDeliveredAndForgetsTheIdsOfAFailedBatch() throws Exception {
        ((com.mimecastsentinel.transform.RowMapping) context.getRegistry().lookupByName("audit-mapping"))
                .setCamelContext(context);
        failPage = 2; // after the repository step added page 2's ids
        MockEndpoint sent = getMockEndpoint("mock:held-release");
        MimecastConsumer consumer = start("held-release");
        awaitRunEnd(consumer);
        assertEquals(1, sent.getReceivedCounter(), "page 1 only");

        failPage = 0;
        runNext(consumer);
        assertNull(consumer.lastRun().failure);
        assertEquals(List.of("a", "b", "c", "d", "e"), sent.getExchanges().stream()
                .flatMap(e -> e.getMessage().getBody(com.mimecastsentinel.transform.RowBatch.class).stream())
                .map(row -> String.valueOf(row.get("id"))).toList(),
                "page 2 sent whole after its failure (its ids were removed), nothing twice");
        assertEquals(0, consumer.lastRun().duplicates.sum());

        // the window read again from its start (the overlap): every row is one delivered before
        Files.writeString(dir.resolve("checkpoints/held-release.json"), checkpointFile("held-release")
                .replaceFirst("\"completedUntil\" : \"[^\"]+\"", "\"completedUntil\" : \""
                        + Instant.now().minus(Duration.ofMinutes(30)) + "\""));
        runNext(consumer);
        assertEquals(5, consumer.lastRun().duplicates.sum(), "the five rows dropped as delivered before");
        assertEquals(5, sent.getExchanges().stream()
                .mapToInt(e -> e.getMessage().getBody(com.mimecastsentinel.transform.RowBatch.class).size()).sum());
    }

    @Test
    void theNextChunkIsReadWhileTheRouteHasTheCurrentOne() throws Exception {
        listedFiles(30, 5);
        List<Boolean> readAhead = new CopyOnWriteArrayList<>();
        context.getRouteController().stopRoute("siem");
        adviceSiem(exchange -> {
            if (readAhead.isEmpty()) {
                // the route holds chunk 1: chunk 2 (the rest of file 1 and the start of file 2) is read meanwhile
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (downloads.size() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                readAhead.add(downloads.size() == 2);
            }
        });
        MockEndpoint siem = getMockEndpoint("mock:siem");
        siem.expectedMinimumMessageCount(2);
        start("siem");
        siem.assertIsSatisfied(10_000);
        assertEquals(List.of(true), readAhead, "file 2 was downloaded while chunk 1 was in the route");
        await(() -> checkpointFile("siem").contains("\"p2\"")); // the run ends with the next page committed
        assertEquals("p2", checkpoint("siem").path("nextPage").asText(), "the page done, the next one listed next");
        int lines = siem.getExchanges().stream().mapToInt(e -> e.getMessage().getBody(Lines.class).size()).sum();
        assertEquals(35, lines, "every line once");
    }

    @Test
    void theNextChunkIsMappedWhileTheSinkSendsTheCurrentOneAndNoMoreIsInTheRoute() throws Exception {
        listedFiles(60, 5);
        MimecastConsumer consumer = start("siem-ahead");
        await(() -> checkpointFile("siem-ahead").contains("\"p2\""));
        MockEndpoint sent = getMockEndpoint("mock:siem-ahead");
        assertTrue(sent.getReceivedCounter() >= 4, "several chunks: " + sent.getReceivedCounter());
        assertEquals(65, sent.getExchanges().stream().mapToInt(e -> e.getMessage().getBody(Lines.class).size()).sum(),
                "every line once");
        assertEquals(2, mostInRoute.get(), "the next chunk came while the sink had the one before, never a third");
        assertNull(consumer.lastRun().failure);
    }

    /**
     * A route stopped under its run (shutdown, a reloaded route file) that makes the run's next step fail ends the
     * run as interrupted, not failed: nothing after the last delivered page is committed, and no ERROR is logged.
     */
    @Test
    void aRouteStoppedUnderItsRunEndsTheRunInterruptedNotFailed() throws Exception {
        stopAtToken = "t2";
        MockEndpoint audit = getMockEndpoint("mock:audit");
        audit.expectedMessageCount(1);
        MimecastConsumer consumer = start("audit");
        audit.assertIsSatisfied(10_000);
        await(() -> context.getRouteController().getRouteStatus("audit").isStopped());
        // the run's end: its failure (set as the call failed) is cleared as the run ends, then it says interrupted;
        // a run that ends failed never says so, and the wait ends at its deadline
        await(() -> consumer.lastRun().interrupted);
        assertNull(consumer.lastRun().failure, () -> "not a failure: " + stackTrace(consumer.lastRun().failure));
        assertTrue(consumer.lastRun().interrupted, "the run says it was interrupted");
        assertEquals("t2", checkpoint("audit").path("window").path("pageToken").asText(),
                "the checkpoint stands after the delivered page");
    }

    @Test
    void aRunThatFailsWhileReadingEndsOnlyOnceTheBatchesItHandedOverCompleted() throws Exception {
        listedFiles(60, 5);
        failSecondFile = true;
        MimecastConsumer consumer = start("siem-ahead");
        runNext(consumer); // once the start-up run ended, a run again: both fail on file 2
        assertTrue(consumer.lastRun().failure != null, "the run failed on file 2");
        assertEquals(0, inRoute.get(), "no batch of the run is still in the route when the run has ended");
    }

    @Test
    void aBatchFailingWhileTheNextIsReadKeepsTheNextFromBeingSentOrCommitted() throws Exception {
        // file 1 is a chunk (13 lines) and a bit: chunk 2 is the rest of it and file 2, read while chunk 1 is sent
        listedFiles(15, 5);
        holdSecondFile = true;
        MimecastConsumer consumer = start("siem-fails");
        await(() -> failedChunks.get() == 1);
        SourceRun failed = consumer.lastRun();
        runNext(consumer); // once the failed run ended: the schedule's next run, from the checkpoint
        assertEquals(2, downloadsWhenFailed, "chunk 2 was being read (file 2 downloaded) when chunk 1 failed");
        assertEquals(1, handedOverWhenFailed, "chunk 2 was not handed over yet when chunk 1 failed");
        assertNotNull(failed.failure, "the first run failed");
        assertNull(consumer.lastRun().failure, "the next run completed");
        MockEndpoint sent = getMockEndpoint("mock:siem-fails");
        List<String> lines = new ArrayList<>();
        for (Exchange exchange : sent.getExchanges()) {
            Lines chunk = exchange.getMessage().getBody(Lines.class);
            for (int i = 0; i < chunk.size(); i++) {
                lines.add(chunk.file(i) + ":" + chunk.lineNumber(i));
            }
        }
        assertEquals(20, lines.size(), "every line once, the failed chunk's included: " + lines);
        assertEquals(20, new java.util.HashSet<>(lines).size(), "none twice");
    }

    private void adviceSiem(org.apache.camel.Processor holdFirstChunk) throws Exception {
        org.apache.camel.builder.AdviceWith.adviceWith(context, "siem", advice -> advice.weaveAddFirst()
                .process(holdFirstChunk));
    }

    @Test
    void eachCallCarriesItsEndpointsAccountTheDefaultOneUnlessItNamesAnother() throws Exception {
        getMockEndpoint("mock:audit").expectedMessageCount(3);
        start("audit");
        getMockEndpoint("mock:audit").assertIsSatisfied(10_000);
        assertEquals(List.of("https://api.services.mimecast.com"), accounts.stream().distinct().toList());

        accounts.clear();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("mimecast:dlp?source=#audit-source&account=#other-account&" + NO_CRON).to("mock:dlp");
            }
        });
        getMockEndpoint("mock:dlp").expectedMessageCount(3);
        getMockEndpoint("mock:dlp").assertIsSatisfied(10_000);
        assertEquals(List.of("https://uk-api.services.mimecast.com"), accounts.stream().distinct().toList());
    }

    /**
     * An account whose API hangs under a dozen routes fired every second holds threads of its own only: the other
     * account's route, on the same schedule, keeps running at each fire (on the Quartz threads every route shares,
     * the hanging runs would take all ten of them and the other account's fires would wait for them).
     */
    @Test
    void anAccountWhoseApiHangsDoesNotHoldUpAnotherAccountsScheduledRuns() throws Exception {
        String everySecond = "scheduler=quartz&scheduler.cron=0/1+*+*+*+*+?";
        List<MimecastConsumer> stuck = new ArrayList<>();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (int i = 0; i < 12; i++) {
                    from("mimecast:hang-" + i + "?source=#audit-source&account=#stuck-account&" + everySecond)
                            .routeId("hang-" + i).to("mock:stuck");
                }
                from("mimecast:fine?source=#audit-source&" + everySecond).routeId("fine").to("mock:fine");
            }
        });
        for (int i = 0; i < 12; i++) {
            stuck.add((MimecastConsumer) context.getRoute("hang-" + i).getConsumer());
        }
        MimecastConsumer fine = (MimecastConsumer) context.getRoute("fine").getConsumer();
        await(() -> stuck.stream().allMatch(c -> c.lastRun() != null && !c.running()) && fine.lastRun() != null);
        hang = new java.util.concurrent.CountDownLatch(1);
        try {
            await(() -> hanging.get() >= MimecastComponent.RUNS_PER_ACCOUNT);
            assertTrue(hanging.get() >= MimecastComponent.RUNS_PER_ACCOUNT, "the stuck account's runs hang: "
                    + hanging.get());
            SourceRun before = fine.lastRun();
            int runs = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                SourceRun now = fine.lastRun();
                if (now != before) {
                    runs++;
                    before = now;
                }
                Thread.sleep(20);
            }
            assertTrue(runs >= 2, "the other account ran at its fires while the stuck one hung: " + runs
                    + " runs in 5 s");
            assertTrue(hanging.get() <= MimecastComponent.RUNS_PER_ACCOUNT, "the stuck account holds at most its "
                    + "own threads: " + hanging.get());
        } finally {
            hang.countDown();
            hang = null;
        }
    }

    /**
     * More log types of one account than it may run at once, started together while its API hangs: as many runs as
     * the account may have take threads, the others wait their turn (none is dropped), and all run once the API
     * answers.
     */
    @Test
    void anAccountsRunsPastItsLimitWaitTheirTurnAndNoneIsLeftOut() throws Exception {
        int routes = MimecastComponent.RUNS_PER_ACCOUNT + 3;
        hang = new java.util.concurrent.CountDownLatch(1);
        List<MimecastConsumer> consumers = new ArrayList<>();
        try {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    for (int i = 0; i < routes; i++) {
                        from("mimecast:held-" + i + "?source=#audit-source&account=#stuck-account&" + NO_CRON)
                                .routeId("held-" + i).to("mock:held");
                    }
                }
            });
            for (int i = 0; i < routes; i++) {
                consumers.add((MimecastConsumer) context.getRoute("held-" + i).getConsumer());
            }
            await(() -> hanging.get() >= MimecastComponent.RUNS_PER_ACCOUNT);
            Thread.sleep(300);
            assertEquals(MimecastComponent.RUNS_PER_ACCOUNT, hanging.get(), "the runs at start-up keep to the "
                    + "account's limit too");
        } finally {
            hang.countDown();
            hang = null;
        }
        await(() -> consumers.stream().allMatch(c -> c.lastRun() != null && !c.running()));
        assertEquals(List.of(), consumers.stream().filter(c -> c.lastRun() == null).map(MimecastConsumer::logType)
                .toList(), "every log type had its run");
    }

    @Test
    void anUnknownOptionFailsStartUpNamingIt() {
        Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> context.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("mimecast:dlp?source=#audit-source&pageSise=10&" + NO_CRON).to("mock:dlp");
                    }
                }));
        Throwable cause = failure;
        while (!(cause instanceof FailedToCreateRouteException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertTrue(String.valueOf(failure.getMessage()).contains("pageSise")
                || String.valueOf(cause.getMessage()).contains("pageSise"), failure.toString());
    }

    /**
     * The options Camel sets and tooling reads are the ones camel-package-maven-plugin generated from the endpoint's
     * annotations: Camel resolves the generated configurer (no reflection), and the component's metadata on the class
     * path lists the endpoint's own options beside the polling consumer's.
     */
    @Test
    void theGeneratedConfigurerAndMetadataAreWhatCamelAndToolingUse() throws Exception {
        var configurer = org.apache.camel.support.PluginHelper.getConfigurerResolver(context)
                .resolvePropertyConfigurer("mimecast-endpoint", context);
        assertEquals("MimecastEndpointConfigurer", configurer.getClass().getSimpleName());
        try (var json = context.getClassResolver()
                .loadResourceAsStream("META-INF/com/mimecastsentinel/source/mimecast.json")) {
            var properties = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).path("properties");
            for (String option : List.of("logType", "source", "account", "scheduler", "pollStrategy")) {
                assertTrue(properties.has(option), option + " in the metadata: " + properties.fieldNames());
            }
            assertTrue(properties.path("source").path("required").asBoolean(), "source is required");
            assertEquals("path", properties.path("logType").path("kind").asText());
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits up to 10 s for what the consumer does after the route had the exchange (its completion, a commit). */
    private static void await(Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.holds() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static String stackTrace(Throwable failure) {
        java.io.StringWriter out = new java.io.StringWriter();
        failure.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }

    /**
     * The schedule's next run, once the run before it ended: a fire while a run goes on is passed over (the
     * consumer's poll), so a test that wants the next run waits for the one before.
     */
    private static void runNext(MimecastConsumer consumer) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (consumer.running() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        consumer.runHere();
    }

    private static void awaitRunEnd(MimecastConsumer consumer) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((consumer.lastRun() == null || consumer.lastRun().failure == null) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** The listing page's two files, of that many lines each. */
    private void listedFiles(int first, int second) throws IOException {
        files.put("https://files.example.com/1.json.gz?sig=x", gzipLines("one", first));
        files.put("https://files.example.com/2.json.gz?sig=y", gzipLines("two", second));
    }

    private static byte[] gzipLines(String file, int count) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            for (int i = 0; i < count; i++) {
                String line = "{\"id\":\"" + file + "-" + i + "\",\"timestamp\":" + System.currentTimeMillis()
                        + ",\"pad\":\"" + "x".repeat(60) + "\"}\n";
                gzip.write(line.getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toByteArray();
    }
}
