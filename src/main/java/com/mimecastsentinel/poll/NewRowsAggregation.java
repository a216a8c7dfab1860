package com.mimecastsentinel.poll;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Gathers the rows of one page that the idempotent consumer let through (duplicates are marked with
 * {@link Exchange#DUPLICATE_MESSAGE}) into a list, in page order, and counts the duplicates on the run.
 */
public class NewRowsAggregation implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange result = oldExchange == null ? newExchange : oldExchange;
        @SuppressWarnings("unchecked")
        List<ObjectNode> rows = oldExchange == null ? new ArrayList<>() : result.getMessage().getBody(List.class);
        if (newExchange.getProperty(Exchange.DUPLICATE_MESSAGE, false, Boolean.class)) {
            LogTypeRun run = newExchange.getProperty(LogTypeBase.RUN, LogTypeRun.class);
            if (run != null) {
                run.duplicates++;
            }
        } else if (newExchange.getMessage().getHeader(LogTypeBase.SKIP_HEADER, false, Boolean.class)) {
            LogTypeRun run = newExchange.getProperty(LogTypeBase.RUN, LogTypeRun.class);
            if (run != null) {
                run.skipped++;
            }
        } else if (newExchange.getException() == null) {
            rows.add(newExchange.getMessage().getBody(ObjectNode.class));
        }
        result.removeProperty(Exchange.DUPLICATE_MESSAGE);
        result.getMessage().setBody(rows);
        return result;
    }

    @Override
    public void onCompletion(Exchange exchange, Exchange inputExchange) {
        // called with no exchange when the page was empty: the original (empty) list stays the body
        if (exchange != null && !(exchange.getMessage().getBody() instanceof List)) {
            exchange.getMessage().setBody(new ArrayList<>());
        }
    }
}
