package com.mimecastsentinel.poll;

import org.apache.camel.Exchange;

/**
 * The step every log type shares (delivery of a batch), for the shared {@code mimecast-deliver} route: it
 * dispatches to the log type that started the run, found in the exchange property {@value LogTypeBase#HANDLER}.
 */
public class LogTypeSteps {

    private static LogTypeBase handler(Exchange exchange) {
        LogTypeBase handler = exchange.getProperty(LogTypeBase.HANDLER, LogTypeBase.class);
        if (handler == null) {
            throw new IllegalStateException("no log type on the exchange: call begin first");
        }
        return handler;
    }

    public void deliver(Exchange exchange) {
        handler(exchange).deliver(exchange);
    }
}
