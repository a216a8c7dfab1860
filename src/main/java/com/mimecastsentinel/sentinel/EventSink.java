package com.mimecastsentinel.sentinel;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where rows go. {@link #send} returns once the destination accepted every row it did not reject for the row's
 * own sake (those come back with the reason, for the dead-letter location); any other failure throws.
 */
public interface EventSink {

    /** Rows the destination refused for what they contain, with its answer. */
    record Rejected(ObjectNode row, String reason) {
    }

    /** @return the rejected rows (empty when all were accepted) */
    List<Rejected> send(String stream, List<ObjectNode> rows);

    /** A short description for logs, without credentials. */
    String describe();
}
