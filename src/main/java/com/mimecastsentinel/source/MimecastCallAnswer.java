package com.mimecastsentinel.source;

import java.util.Map;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * How the answer of a Mimecast call comes back to its caller (the {@code enrich} of {@code direct:mimecast-call},
 * routes/mimecast-api.yaml, which aggregates on failure too): the call ran on an exchange of its own, so that its
 * retries and their budget were its own. The caller gets the answer (the body), or the call's failure, and the
 * answer's headers as data, in the variable {@value #HEADERS} (read by name, whatever their case), never as message
 * headers: a header Mimecast sends must not steer a step of the log type's route (a component reading its own
 * headers). Nothing else of the call comes back: no redelivery state, no request signature.
 */
public final class MimecastCallAnswer implements AggregationStrategy {
    /** The answer's headers (a map whose keys ignore case), for the sources. */
    public static final String HEADERS = "mimecastAnswerHeaders";

    @Override
    public Exchange aggregate(Exchange caller, Exchange call) {
        if (call == null) {
            return caller;
        }
        Message message = caller.getMessage();
        message.getHeaders().clear();
        caller.removeVariable(HEADERS);
        caller.removeVariable(MimecastAnswer.TOO_LARGE);
        if (call.getException() != null) {
            caller.setException(call.getException());
            return caller;
        }
        Message answer = call.getMessage();
        message.setBody(answer.getBody());
        caller.setVariable(HEADERS, MimecastAnswer.headers(answer));
        Object tooLarge = call.getVariable(MimecastAnswer.TOO_LARGE);
        if (tooLarge != null) {
            caller.setVariable(MimecastAnswer.TOO_LARGE, tooLarge);
        }
        return caller;
    }

    /** A header of the last answer (the variable {@value #HEADERS}), or null. */
    @SuppressWarnings("unchecked")
    public static String header(Exchange exchange, String name) {
        Map<String, String> headers = exchange.getVariable(HEADERS, Map.class);
        String value = headers == null ? null : headers.get(name);
        return value == null || value.isBlank() ? null : value;
    }
}
