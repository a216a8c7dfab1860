package com.mimecastsentinel.poll;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

/**
 * The steps every log type shares (row, batches, delivery), for the shared {@code mimecast-deliver} route: they
 * dispatch to the log type that started the run, found in the exchange property {@value LogTypeBase#HANDLER}.
 */
public class LogTypeSteps {

    private static LogTypeBase handler(Exchange exchange) {
        LogTypeBase handler = exchange.getProperty(LogTypeBase.HANDLER, LogTypeBase.class);
        if (handler == null) {
            throw new IllegalStateException("no log type on the exchange: call begin first");
        }
        return handler;
    }

    public ObjectNode toRow(Exchange exchange) {
        return handler(exchange).toRow(exchange);
    }

    public List<? extends List<ObjectNode>> batches(Exchange exchange) {
        return handler(exchange).batches(exchange);
    }

    public void deliver(Exchange exchange) {
        handler(exchange).deliver(exchange);
    }
}
