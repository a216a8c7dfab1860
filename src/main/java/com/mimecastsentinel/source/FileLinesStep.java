package com.mimecastsentinel.source;

import java.io.InputStream;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The last step of {@code direct:mimecast-file-lines}: the downloaded file's stream (the body), read to its end into
 * the chunks of the batch source reading it (the variable {@value FileChunks#READER}).
 */
public final class FileLinesStep implements Processor {
    @Override
    public void process(Exchange exchange) throws Exception {
        FileChunks reader = exchange.getVariable(FileChunks.READER, FileChunks.class);
        if (reader == null) {
            throw new IllegalStateException("direct:mimecast-file-lines is called by a batch source's chunks");
        }
        InputStream body = exchange.getMessage().getBody(InputStream.class);
        if (body != null) {
            reader.read(body);
        }
    }
}
