package com.mimecastsentinel.transform;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultExchange;

/**
 * A step for a log type's route: sets columns of every row of the batch, each from a Camel {@code simple}
 * expression evaluated with the row as the body ({@code ${body[subject]}}), or a constant; a column set to an empty
 * value is removed. Declared as a bean in the route file, e.g.
 * <pre>
 * - beans:
 *     - name: tenantColumn
 *       type: "#class:com.mimecastsentinel.transform.SetColumns"
 *       properties:
 *         columns:
 *           Tenant: contoso
 *           SenderDomain: "${body[senderAddress].replaceAll('.*@', '')}"
 * </pre>
 * and used as {@code - process: {ref: tenantColumn}} after the mapping step. A new column also needs to be declared
 * in the table and the DCR stream (docs/customising-routes.md).
 */
public class SetColumns implements Processor, CamelContextAware {
    private CamelContext camelContext;
    private Map<String, String> columns = new LinkedHashMap<>();
    private Map<String, Expression> expressions;

    @Override
    public void process(Exchange exchange) {
        RowBatch rows = exchange.getMessage().getBody(RowBatch.class);
        if (rows == null || rows.isEmpty()) {
            return;
        }
        Map<String, Expression> set = expressions();
        Exchange row = new DefaultExchange(camelContext);
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> values = rows.get(i);
            row.getMessage().setBody(values);
            Map<String, Object> computed = new LinkedHashMap<>();
            set.forEach((column, expression) -> computed.put(column, expression.evaluate(row, Object.class)));
            computed.forEach((column, value) -> {
                if (value == null || "".equals(value)) {
                    values.remove(column);
                } else {
                    values.put(column, value);
                }
            });
        }
    }

    private Map<String, Expression> expressions() {
        if (expressions == null) {
            Map<String, Expression> compiled = new LinkedHashMap<>();
            columns.forEach((column, text) -> compiled.put(column,
                    camelContext.resolveLanguage("simple").createExpression(text)));
            expressions = compiled;
        }
        return expressions;
    }

    /** Column name to its value: a simple expression (the row is the body) or a constant. */
    public void setColumns(Map<String, String> columns) {
        this.columns = new LinkedHashMap<>(columns);
        this.expressions = null;
    }

    public Map<String, String> getColumns() {
        return columns;
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
