package com.mimecastsentinel.source;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The step of the download route that turns the file URL of the variable {@value BatchSource#FILE_URL} into the
 * {@code CamelHttpUri} header: only once {@link FileUrls} passed it. camel-http resolves property placeholders in that
 * header, and the URL comes from Mimecast's answer: a URL that could hold one (a brace is not a URI character), or
 * that points where a file never is, never gets there.
 */
public final class FileUrlStep implements Processor {
    private final FileUrls urls;

    public FileUrlStep(FileUrls urls) {
        this.urls = urls;
    }

    @Override
    public void process(Exchange exchange) {
        String url = exchange.getVariable(BatchSource.FILE_URL, String.class);
        exchange.getMessage().setHeader(Exchange.HTTP_URI, urls.check(url).toString());
    }
}
