package com.mimecastsentinel.source;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;

/**
 * The Mimecast calls of a {@code mimecast} consumer's runs: each call an exchange of its own, sent to
 * {@code direct:mimecast-call} (routes/mimecast-api.yaml: signing, bounds, the retries and their budget), so that
 * nothing of one call (its retries, its headers) reaches the next or the batch handed to the route.
 */
public final class MimecastCalls {
    /** The path and query the Mimecast call goes to, and its method: read by the Mimecast routes. */
    public static final String PATH = "mimecastPath";
    public static final String QUERY = "mimecastQuery";
    public static final String METHOD = "mimecastMethod";
    /** The log type whose run makes the call (its metrics). */
    public static final String LOG_TYPE = "mimecastLogType";
    static final String ENDPOINT = "direct:mimecast-call";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CamelContext context;
    private final ProducerTemplate template;
    private final String logType;
    private final MimecastAccount account;

    public MimecastCalls(CamelContext context, ProducerTemplate template, String logType, MimecastAccount account) {
        this.context = context;
        this.template = template;
        this.logType = logType;
        this.account = account;
    }

    /**
     * Calls Mimecast and returns the call's exchange once it answered: its body the answer (JSON as a tree, an API
     * 1.0 SIEM file as bytes), its answer headers in the variable {@link MimecastCallAnswer#HEADERS}. A call that
     * failed (after its retries) throws its failure.
     */
    public Exchange call(MimecastRequest request) throws Exception {
        Exchange exchange = new DefaultExchange(context);
        exchange.setVariable(LOG_TYPE, logType);
        exchange.setVariable(MimecastAccount.VARIABLE, account);
        exchange.setVariable(METHOD, request.method());
        exchange.setVariable(PATH, request.path());
        exchange.setVariable(QUERY, request.query());
        if (request.body() != null) {
            exchange.getMessage().setBody(JSON.writeValueAsBytes(request.body()));
        }
        template.send(ENDPOINT, exchange);
        if (exchange.getException() != null) {
            throw exchange.getException();
        }
        return exchange;
    }
}
