package com.mimecastsentinel.source;

import java.time.Instant;
import java.util.Date;
import java.util.concurrent.locks.ReentrantLock;

import com.mimecastsentinel.ConnectorServices;
import com.mimecastsentinel.run.BatchScope;
import com.mimecastsentinel.sentinel.SentinelEndpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.pollconsumer.quartz.QuartzScheduledPollConsumerScheduler;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.support.ScheduledPollConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer of a {@code mimecast:<logType>} endpoint: a scheduled polling consumer whose poll is a run of the
 * log type (on the schedule's cron, {@code scheduler=quartz}, and once when the consumer starts, one run at a time).
 * A run loads the checkpoint and hands the route one exchange per batch its source reads (a page of records, a
 * chunk of a file's lines), the next one only once the route completed the one before. The checkpoint moves in the
 * exchange's completion: when the route completed it (the sink acknowledged the batch), the source moves its
 * position past it and the checkpoint is committed. A failed exchange, or a commit that cannot be written, ends the
 * run where it stands; the poll strategy ({@code mimecastRuns}) reports the run ({@link #lastRun}).
 */
public final class MimecastConsumer extends ScheduledPollConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(MimecastConsumer.class);

    private final MimecastEndpoint endpoint;
    /** One run of the log type's state at a time (the component's lock of it, shared with a consumer before). */
    private ReentrantLock running;
    /** Set for the thread whose poll found the run still going on (read by the poll strategy right after it). */
    private static final ThreadLocal<Boolean> PASSED_OVER = new ThreadLocal<>();
    private volatile SourceRun lastRun;
    private ProducerTemplate template;
    private MimecastCalls calls;
    /** A run handed over and not ended (waiting its turn, or going on): a fire meanwhile is passed over. */
    private final java.util.concurrent.atomic.AtomicBoolean handedOver = new java.util.concurrent.atomic.AtomicBoolean();

    MimecastConsumer(MimecastEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    /** The run the last poll made (null when this instance left the log type alone). */
    public SourceRun lastRun() {
        return lastRun;
    }

    /** The name of the log type's state for the endpoint's account ({@link MimecastAccount#qualify}). */
    public String logType() {
        return endpoint.getAccount().qualify(endpoint.getLogType());
    }

    @Override
    protected void doStart() throws Exception {
        template = getEndpoint().getCamelContext().createProducerTemplate();
        calls = new MimecastCalls(getEndpoint().getCamelContext(), template, logType(), endpoint.getAccount());
        running = ((MimecastComponent) endpoint.getComponent()).runLock(logType());
        super.doStart();
        // the first run at start, whatever the cron says (a standby taking over runs at once too), handed over as
        // the schedule's are (unless a fire was quicker: that one is the first run)
        run();
    }

    /**
     * A fire of the schedule (and the run at start-up). camel-quartz calls it on a thread of the Quartz scheduler,
     * which every route of every account shares (10 threads): the run is handed to the component's pool of runs
     * instead, where an account's runs take at most {@value MimecastComponent#RUNS_PER_ACCOUNT} threads and the
     * others wait their turn, so that an account whose API hangs, or whose runs are long, never holds the scheduler,
     * nor the threads the other accounts' runs need. A fire while the log type's run is handed over (waiting its
     * turn, or going on) is passed over.
     */
    @Override
    public void run() {
        if (!handedOver.compareAndSet(false, true)) {
            LOG.debug("{}: still running: this fire of the schedule is passed over", logType());
            return;
        }
        try {
            ((MimecastComponent) endpoint.getComponent()).runsOf(endpoint.getAccount()).submit(new AccountRuns.Run() {
                @Override
                public void run() {
                    try {
                        runHere();
                    } finally {
                        handedOver.set(false);
                    }
                }

                @Override
                public void refused(RuntimeException why) {
                    handedOver.set(false); // stopping: the next fire (if any) tries again
                    LOG.debug("{}: this run was not made: {}", logType(), why.toString());
                }
            });
        } catch (RuntimeException | Error e) {
            handedOver.set(false);
            throw e;
        }
    }

    /** A run on this thread, as the polling consumer makes it (its poll strategy reports it). */
    void runHere() {
        super.run();
    }

    @Override
    protected void doStop() throws Exception {
        try {
            super.doStop();
        } catch (RuntimeException e) {
            // camel-quartz's poll scheduler, stopped before this consumer as the context stops, logs its trigger
            // (then null) as it unschedules it: nothing is left to unschedule
            if (!(e.getCause() instanceof NullPointerException || e instanceof NullPointerException)
                    || !(getScheduler() instanceof QuartzScheduledPollConsumerScheduler)) {
                throw e;
            }
            LOG.debug("{}: the Quartz trigger was unscheduled already", logType());
        }
        if (template != null) {
            template.close();
        }
    }

    @Override
    protected int poll() throws Exception {
        // a run already going on (the one at start-up, a long catch-up, an API that hangs): this one is passed over
        if (!running.tryLock()) {
            PASSED_OVER.set(Boolean.TRUE);
            LOG.debug("{}: still running: this fire of the schedule is passed over", logType());
            return 0;
        }
        PASSED_OVER.remove();
        try {
            return runOnce();
        } finally {
            running.unlock();
        }
    }

    /** Whether a run of this consumer is going on (a fire of the schedule now would be passed over). */
    public boolean running() {
        return running != null && running.isLocked();
    }

    /** Whether this thread's last poll was passed over (its run still going on): no run ended with it. */
    public static boolean passedOver() {
        return Boolean.TRUE.equals(PASSED_OVER.get());
    }

    private int runOnce() {
        MimecastSource source = endpoint.getSource();
        SourceRun run;
        try {
            run = source.begin(endpoint.getLogType(), endpoint.getAccount(), nextScheduledRun());
        } catch (RuntimeException e) {
            run = new SourceRun(logType(), null);
            run.failure = e;
            lastRun = run;
            endedByStop(run);
            return 0;
        }
        lastRun = run;
        if (run == null) {
            return 0;
        }
        int batches = 0;
        run.inRoute = new InRoute(1 + source.batchesAhead());
        try {
            while (true) {
                if (!isRunAllowed() || endpoint.getCamelContext().isStopping()) {
                    LOG.info("{}: shutting down: the run ends here, checkpoint committed; the next run resumes",
                            logType());
                    run.interrupted = true;
                    break;
                }
                run.inRoute.awaitRoom();
                if (run.failure != null) {
                    break;
                }
                Batch batch = source.next(run, calls);
                if (batch == null) {
                    break;
                }
                if (!handOver(source, run, batch)) {
                    break; // a batch before it failed meanwhile: this one is not sent
                }
                batches++;
            }
            run.inRoute.awaitEmpty();
            if (run.failure == null) {
                // where the run stands (a listing page whose files were all delivered, a window read up to now)
                services().checkpoints().commit(run);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.fail(e);
        } catch (Exception e) {
            run.fail(e);
        } finally {
            // a run that failed while reading (a Mimecast call) ends only once the batches it handed over
            // completed: they commit in order, and the next run must not begin while one of them is being sent
            awaitHandedOver(run);
            endedByStop(run);
            source.end(run);
        }
        return batches;
    }

    /**
     * A run that failed because its route was stopped under it (shutdown, a reloaded route file) did not fail: the
     * batch in hand did not get through and is not committed, and the next run reads it again. Whatever the stop made
     * fail says so: a batch the stopped route refused, or the lease the stopping route released before the next batch
     * ("no longer leads").
     */
    private void endedByStop(SourceRun run) {
        if (run.failure != null && !isRunAllowed()) {
            LOG.info("{}: the route stopped during the run ({}); the next run resumes at the checkpoint",
                    logType(), run.failure.toString());
            run.failure = null;
            run.interrupted = true;
        }
    }

    private static void awaitHandedOver(SourceRun run) {
        try {
            run.inRoute.awaitEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Hands one batch to the route as an exchange of its own. Returns once the route's thread let go of it: at once
     * for a route that waits for its sink, and for one whose sink sends on a thread of its own (the sentinel
     * producer) once the batch is mapped and queued there, so that the next batch is read and mapped while this one
     * is sent. The exchange's completion moves the checkpoint past it. False when a batch handed over before it
     * failed meanwhile: this one is not handed over.
     */
    private boolean handOver(MimecastSource source, SourceRun run, Batch batch) {
        Exchange exchange = createExchange(false);
        exchange.getMessage().setBody(batch.body());
        exchange.getMessage().getHeaders().putAll(batch.headers());
        BatchScope scope = run.batch();
        exchange.setProperty(BatchScope.PROPERTY, scope);
        // the sink sends a declared account's rows where it says (a variable: a step of the route cannot lose it)
        if (endpoint.getAccount().name() != null) {
            exchange.setVariable(com.mimecastsentinel.sentinel.SentinelEndpoint.TARGET, endpoint.getAccount().target());
        }
        exchange.getExchangeExtension().addOnCompletion(new Synchronization() {
            @Override
            public void onComplete(Exchange completed) {
                run.add(scope);
                try {
                    delivered(source, run, batch, completed);
                } catch (RuntimeException e) {
                    failed(run, completed, e); // Camel would only log it: the run ends on it
                }
            }

            @Override
            public void onFailure(Exchange failed) {
                run.add(scope);
                failed(run, failed, failed.getException() != null ? failed.getException()
                        : new IllegalStateException(logType() + ": the route did not complete the batch"));
            }
        });
        if (!run.inRoute.enter(exchange)) {
            releaseExchange(exchange, false);
            return false;
        }
        try {
            getAsyncProcessor().process(exchange, doneSync -> {
                if (exchange.getException() != null) {
                    run.fail(exchange.getException());
                }
                run.inRoute.leave(exchange);
                releaseExchange(exchange, false);
            });
        } catch (RuntimeException e) {
            run.fail(e);
            run.inRoute.leave(exchange);
            releaseExchange(exchange, false);
        }
        return true;
    }

    /** A batch failed: the run ends there, and a batch handed over after it is not sent (nor committed). */
    private void failed(SourceRun run, Exchange exchange, Throwable failure) {
        run.fail(failure);
        run.inRoute.failOthers(exchange, logType());
    }

    /** The route completed the batch: the sink's acknowledgement counted, the position moved, the commit written. */
    private void delivered(MimecastSource source, SourceRun run, Batch batch, Exchange completed) {
        long rows = completed.getMessage().getHeader(SentinelEndpoint.ROWS_ACCEPTED, 0L, Long.class);
        Instant newest = completed.getMessage().getHeader(SentinelEndpoint.NEWEST_EVENT, Instant.class);
        run.acknowledged(rows, newest);
        run.skipped.add(completed.getMessage().getHeader(SentinelEndpoint.ROWS_DEAD_LETTERED, 0L, Long.class));
        source.delivered(run, batch, completed);
        services().checkpoints().commit(run);
    }

    /** When the schedule runs this log type next: an Awareness snapshot must not wait past its interval. */
    private Instant nextScheduledRun() {
        if (getScheduler() instanceof QuartzScheduledPollConsumerScheduler quartz && quartz.getCron() != null) {
            try {
                org.quartz.CronExpression cron = new org.quartz.CronExpression(quartz.getCron());
                if (quartz.getTimeZone() != null) {
                    cron.setTimeZone(quartz.getTimeZone());
                }
                Date next = cron.getNextValidTimeAfter(new Date());
                return next == null ? null : next.toInstant();
            } catch (java.text.ParseException e) {
                return null; // the scheduler refused it at start
            }
        }
        return null;
    }

    /** The connector's services, looked up once (each batch commits through them). */
    private ConnectorServices services() {
        if (services == null) {
            services = ConnectorServices.from(getEndpoint().getCamelContext());
        }
        return services;
    }

    private volatile ConnectorServices services;
}
