package com.mimecastsentinel.sentinel;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.transform.EventIds;
import com.mimecastsentinel.transform.RowBatch;
import com.mimecastsentinel.transform.RowMapping;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultAsyncProducer;

/**
 * Sends the batch in the body: rows no request can carry (over 1 MB, or a value over 64 KB) go to the dead letters,
 * the rest in requests of at most 1 MB (normally the whole batch is one: the sources cut their chunks to fit),
 * each acknowledged before the next is sent; rows the destination refuses for their content go to the dead letters
 * with its answer. Returns once everything was accepted or refused; any other failure fails the exchange, so the
 * exchange completes (and its checkpoint moves) only for a batch Sentinel has. The body stays the batch; the
 * headers declared in {@link SentinelEndpoint} say what became of it: the rows accepted, their bytes, the newest
 * event time among them, the rows dead-lettered.
 */
final class SentinelProducer extends DefaultAsyncProducer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SentinelEndpoint endpoint;

    SentinelProducer(SentinelEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    /**
     * Readies the batch on the route's thread (the rows over a limit set aside, the rest cut into requests and each
     * request's body made: Logs Ingestion's gzip), then sends on this producer's own thread, one exchange after the
     * other in the order they came: the route's thread goes back to its consumer, which can hand over (map and
     * ready) the next batch while this one is sent, and the exchange completes (its checkpoint commit included)
     * before the next one is sent. An exchange that failed meanwhile (an earlier batch of its run failed) is not sent.
     */
    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Outgoing outgoing = null;
        Throwable unready = null;
        try {
            outgoing = exchange.getException() == null ? ready(exchange) : null;
        } catch (Throwable e) {
            unready = e; // failed in its turn: the exchanges complete in the order they came
        }
        Outgoing ready = outgoing;
        Throwable failure = unready;
        sender.execute(() -> {
            try {
                if (failure != null) {
                    exchange.setException(failure);
                } else if (exchange.getException() == null) {
                    send(exchange, ready);
                }
            } catch (Throwable e) {
                exchange.setException(e);
            } finally {
                callback.done(false);
            }
        });
        return false;
    }

    private ExecutorService sender;
    /** Exchanges waiting for the sender: far more than a route hands over before the first completes. */
    static final int SENDER_QUEUE = 1000;

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        // one thread at most, taking the exchanges in the order they came from a queue, and none while idle: a
        // connector of many accounts has a producer per account and log type, most of them waiting for their next
        // run. (A queue of a size: Camel makes a pool of no core thread and no queue a hand-over, which would refuse
        // an exchange while one is sent; a route hands over at most a few.)
        sender = getEndpoint().getCamelContext().getExecutorServiceManager().newThreadPool(this,
                "sentinel-" + endpoint.getStream(), new org.apache.camel.builder.ThreadPoolProfileBuilder(
                        "sentinel-sender").poolSize(0).maxPoolSize(1).keepAliveTime(30L, java.util.concurrent.TimeUnit
                        .SECONDS).maxQueueSize(SENDER_QUEUE).build());
    }

    @Override
    protected void doStop() throws Exception {
        if (sender != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(sender);
            sender = null;
        }
        super.doStop();
    }

    /** A batch ready to send: its requests, and the rows no request can carry, with the reason. */
    private record Outgoing(String logType, List<Destination.Request> requests, List<Unsendable> unsendable) {
    }

    private record Unsendable(String id, byte[] json, String reason) {
    }

    private Outgoing ready(Exchange exchange) {
        RowBatch body = rowsOf(exchange.getMessage().getBody());
        // the log type of metrics and dead letters: the route's id (a log type's route has its name), else the stream
        String logType = exchange.getFromRouteId() != null ? exchange.getFromRouteId() : endpoint.getStream();
        SentinelComponent component = endpoint.getComponent();
        // a declared account's batch carries its target (set by the mimecast consumer, never from an answer)
        Target variable = exchange.getVariable(SentinelEndpoint.TARGET, Target.class);
        Target target = variable != null ? variable : Target.SETTINGS;
        Destination destination = component.destination(endpoint, target);
        String account = target.accountColumnValue(endpoint, component.isAccountColumn());
        // a batch of its own (with the account's column): the exchange's is left as it is
        RowBatch rows = account == null ? body.slice(0, body.size()) : body.withColumn(RowMapping.ACCOUNT, account);
        List<Unsendable> unsendable = new ArrayList<>();
        if (destination.bytesLimited()) {
            RowLimits limits = new RowLimits(component.maxBytes() - 2);
            rows.retain(i -> {
                String violation = limits.violation(() -> rows.get(i), rows.jsonLength(i));
                if (violation != null) {
                    unsendable.add(new Unsendable(rows.id(i), rows.json(i), violation));
                }
                return violation == null;
            });
        }
        List<Destination.Request> requests = new ArrayList<>();
        for (int from = 0; from < rows.size();) {
            int to = cut(rows, from, destination);
            requests.add(destination.ready(endpoint.getStream(), rows.slice(from, to)));
            from = to;
        }
        return new Outgoing(logType, requests, unsendable);
    }

    private void send(Exchange exchange, Outgoing outgoing) {
        String logType = outgoing.logType();
        SentinelComponent component = endpoint.getComponent();
        DeadLetters deadLetters = component.deadLetters();
        int deadLettered = 0;
        for (Unsendable row : outgoing.unsendable()) {
            deadLetter(deadLetters, logType, row.reason(), row.id(), row.json());
            deadLettered++;
        }
        int accepted = 0;
        long acceptedBytes = 0;
        Instant newestAccepted = null;
        for (Destination.Request request : outgoing.requests()) {
            RowBatch rows = request.rows();
            List<Destination.Rejected> rejected = request.send();
            for (Destination.Rejected refused : rejected) {
                deadLetter(deadLetters, logType, "refused by the destination: " + refused.reason(),
                        refused.rows().id(refused.index()), refused.rows().json(refused.index()));
                deadLettered++;
            }
            int ok = rows.size() - rejected.size();
            Instant newest = rows.newestEvent();
            long bytes = 2;
            for (int i = 0; i < rows.size(); i++) {
                bytes += rows.jsonLength(i) + 1;
            }
            component.metrics().delivered(logType, ok, bytes, newest);
            accepted += ok;
            acceptedBytes += bytes;
            if (newest != null && (newestAccepted == null || newest.isAfter(newestAccepted))) {
                newestAccepted = newest;
            }
        }
        exchange.getMessage().setHeader(SentinelEndpoint.ROWS_ACCEPTED, accepted);
        exchange.getMessage().setHeader(SentinelEndpoint.BYTES_ACCEPTED, acceptedBytes);
        exchange.getMessage().setHeader(SentinelEndpoint.NEWEST_EVENT, newestAccepted);
        exchange.getMessage().setHeader(SentinelEndpoint.ROWS_DEAD_LETTERED, deadLettered);
    }

    private static void deadLetter(DeadLetters deadLetters, String logType, String reason, String id, byte[] row) {
        deadLetters.put(logType, reason, id, new String(row, StandardCharsets.UTF_8));
    }

    /** The end of the request that starts at {@code from}: at most the destination's rows and bytes. */
    private int cut(RowBatch rows, int from, Destination destination) {
        int max = endpoint.getComponent().maxBytes();
        long bytes = 2;
        int to = from;
        while (to < rows.size() && to - from < destination.maxRows()) {
            long next = bytes + rows.jsonLength(to) + 1;
            if (destination.bytesLimited() && to > from && next > max) {
                break;
            }
            bytes = next;
            to++;
        }
        return to;
    }

    /** The body as a batch: a batch, or rows a step of the route made as maps or JSON trees. */
    private static RowBatch rowsOf(Object body) {
        if (body instanceof RowBatch batch) {
            return batch;
        }
        RowBatch batch = new RowBatch();
        if (body instanceof List<?> list) {
            for (Object item : list) {
                @SuppressWarnings("unchecked")
                Map<String, Object> row = item instanceof JsonNode node ? JSON.convertValue(node, Map.class)
                        : (Map<String, Object>) item;
                Object id = row.get(RowMapping.EVENT_ID);
                batch.add(row, id != null ? id.toString() : EventIds.of(JSON.valueToTree(row), null, List.of("*")),
                        System.currentTimeMillis());
            }
            return batch;
        }
        if (body == null) {
            return batch;
        }
        throw new IllegalArgumentException("sentinel: sends rows (the mapping step's batch), not "
                + body.getClass().getName());
    }
}
