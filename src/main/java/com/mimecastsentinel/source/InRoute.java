package com.mimecastsentinel.source;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Exchange;

/**
 * The exchanges of one run the route has not completed yet, at most {@code limit}: the consumer waits for room
 * before it reads the next batch, and for none before the page or the run moves on. At most one of them is being
 * sent at a time (the sink sends in order, and completes one before it sends the next), so a crash re-sends at most
 * one batch.
 */
final class InRoute {
    private final int limit;
    private final List<Exchange> exchanges = new ArrayList<>();
    private boolean failed;

    InRoute(int limit) {
        this.limit = limit;
    }

    synchronized void awaitRoom() throws InterruptedException {
        while (exchanges.size() >= limit) {
            wait();
        }
    }

    synchronized void awaitEmpty() throws InterruptedException {
        while (!exchanges.isEmpty()) {
            wait();
        }
    }

    /**
     * Takes the exchange in; false, without taking it, once a batch of the run failed: it must not be sent, whatever
     * moment the failure came at (the consumer may have been reading this batch when it did).
     */
    synchronized boolean enter(Exchange exchange) {
        if (failed) {
            return false;
        }
        exchanges.add(exchange);
        return true;
    }

    synchronized void leave(Exchange exchange) {
        exchanges.remove(exchange);
        notifyAll();
    }

    /**
     * A batch failed: the ones handed over after it fail instead of being sent (the ones before it go on), and none
     * enters after it.
     */
    synchronized void failOthers(Exchange failed, String logType) {
        this.failed = true;
        int at = exchanges.indexOf(failed);
        for (Exchange other : exchanges.subList(at + 1, exchanges.size())) {
            if (other.getException() == null) {
                other.setException(new IllegalStateException(logType + ": an earlier batch of the run failed; this "
                        + "one is not sent"));
            }
        }
    }
}
