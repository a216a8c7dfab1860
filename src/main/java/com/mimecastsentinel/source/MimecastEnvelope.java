package com.mimecastsentinel.source;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The step after a JSON answer of the Mimecast API is unmarshalled: HTTP 200 is not success on its own. An
 * {@code error} object, or a non-empty {@code fail[]}, is a failure (retried when Mimecast marks every error
 * retryable); the threat feed's "no result found" is an empty answer, not a failure.
 */
public final class MimecastEnvelope implements Processor {
    static final String NO_RESULT = "err_threat_intel_feed_no_result_found";

    @Override
    public void process(Exchange exchange) {
        JsonNode answer = exchange.getMessage().getBody(JsonNode.class);
        String path = exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class);
        if (answer == null) {
            throw new MimecastFailure("Mimecast " + path + " returned an empty answer", 200);
        }
        JsonNode error = answer.path("error");
        if (error.isObject()) {
            throw new MimecastFailure("Mimecast " + path + " reported error " + error.path("code").asText("?") + ": "
                    + error.path("message").asText(""), 200, List.of(error.path("code").asText("?")));
        }
        JsonNode fail = answer.path("fail");
        if (!fail.isArray() || fail.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        List<String> codes = new ArrayList<>();
        boolean retryable = true;
        for (JsonNode item : fail) {
            for (JsonNode failure : item.path("errors")) {
                if (text.length() > 0) {
                    text.append("; ");
                }
                codes.add(failure.path("code").asText("?"));
                text.append(failure.path("code").asText("?")).append(": ").append(failure.path("message").asText(""));
                retryable &= failure.path("retryable").asBoolean(false);
            }
        }
        if (codes.equals(List.of(NO_RESULT))) {
            exchange.getMessage().setBody(JsonNodeFactory.instance.objectNode()); // nothing in this window
            return;
        }
        String message = "Mimecast " + path + " reported failure: " + text;
        throw retryable ? new MimecastFailure.Retryable(message, 200, codes) : new MimecastFailure(message, 200, codes);
    }
}
