package com.mimecastsentinel.sentinel;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Where rows go. {@link #send} returns only once the destination accepted every row; otherwise it throws. */
public interface EventSink {

    void send(String stream, List<ObjectNode> rows);

    /** A short description for logs, without credentials. */
    String describe();
}
