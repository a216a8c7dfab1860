package com.mimecastsentinel.transform;

import java.util.Map;

import com.mimecastsentinel.run.BatchScope;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultExchange;

/**
 * A step for a log type's route: drops the rows of the batch for which a Camel {@code simple} predicate holds, the
 * row being the body ({@code ${body[action]}}). Declared as a bean in the route file, e.g.
 * <pre>
 * - beans:
 *     - name: dropAcceptedReceipts
 *       type: "#class:com.mimecastsentinel.transform.DropRows"
 *       properties:
 *         when: "${body[Logtype]} == 'email_receipt' &amp;&amp; ${body[action]} == 'Acc'"
 * </pre>
 * and used as {@code - process: {ref: dropAcceptedReceipts}} after the mapping step. The checkpoint still moves past
 * dropped rows: they are left out on purpose, not lost. A row is read as a map only for this (one exchange per
 * batch, not per row, is what the route pays for the rest).
 */
public class DropRows implements Processor, CamelContextAware {
    private CamelContext camelContext;
    private String when;
    private Predicate predicate;

    @Override
    public void process(Exchange exchange) {
        RowBatch rows = exchange.getMessage().getBody(RowBatch.class);
        if (rows == null || rows.isEmpty()) {
            return;
        }
        Predicate drop = predicate();
        Exchange row = new DefaultExchange(camelContext);
        int dropped = rows.retain(i -> {
            Map<String, Object> values = rows.get(i);
            row.getMessage().setBody(values);
            return !drop.matches(row);
        });
        BatchScope run = BatchScope.of(exchange);
        if (run != null) {
            run.skipped.add(dropped);
        }
    }

    private Predicate predicate() {
        if (predicate == null) {
            if (when == null || when.isBlank()) {
                throw new IllegalStateException("DropRows needs its 'when' predicate");
            }
            predicate = camelContext.resolveLanguage("simple").createPredicate(when);
        }
        return predicate;
    }

    /** The simple predicate a row is dropped for. */
    public void setWhen(String when) {
        this.when = when;
        this.predicate = null;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
