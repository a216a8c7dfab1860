package com.mimecastsentinel.source;

import java.util.Locale;
import java.util.Map;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * How the answer of a Mimecast call comes back to its caller (the {@code enrich} of {@code direct:mimecast-call},
 * routes/mimecast-api.yaml): the call ran on an exchange of its own, so that its retries and their budget were its
 * own; the caller gets the answer (the body), the answer's headers and what the answer step noted, but none of the
 * call's state: no {@code Camel*} header (the redelivery counters among them) and not the request's signature
 * ({@code Authorization}, {@code x-mc-date}, {@code x-mc-req-id}, {@code x-mc-app-id}), which must not travel on with the records.
 */
public final class MimecastCallAnswer implements AggregationStrategy {
    /** The headers that sign a request (API 2.0 and 1.0). */
    private static final java.util.Set<String> SIGNATURE = java.util.Set.of("authorization", "x-mc-date", "x-mc-req-id",
            "x-mc-app-id");

    @Override
    public Exchange aggregate(Exchange caller, Exchange call) {
        if (call == null) {
            return caller;
        }
        Message answer = call.getMessage();
        Message message = caller.getMessage();
        message.setBody(answer.getBody());
        message.getHeaders().clear();
        for (Map.Entry<String, Object> header : answer.getHeaders().entrySet()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!name.startsWith("camel") && !name.startsWith("org.apache.camel") && !SIGNATURE.contains(name)) {
                message.setHeader(header.getKey(), header.getValue());
            }
        }
        Object tooLarge = call.getVariable(MimecastAnswer.TOO_LARGE);
        caller.removeVariable(MimecastAnswer.TOO_LARGE);
        if (tooLarge != null) {
            caller.setVariable(MimecastAnswer.TOO_LARGE, tooLarge);
        }
        return caller;
    }
}
