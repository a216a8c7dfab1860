package com.mimecastsentinel.source;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

/**
 * A source whose batch is the answer to one call: a page of records (paged endpoints, threat feeds, Awareness
 * Training) or an API 1.0 SIEM file. Each page is handed to the route, even an empty one, so that the checkpoint
 * moves past it once the route completed it.
 */
abstract class PageSource extends MimecastSource {

    /** The call for the run's next page. */
    protected abstract MimecastRequest request(SourceRun run);

    @Override
    protected MimecastRequest firstRequest(SourceRun run) {
        return request(run);
    }

    /** The page's records, from the call's answer (its body, and its headers); the next position noted. */
    protected abstract List<ObjectNode> records(SourceRun run, Exchange answer);

    /** After the page was delivered: where the checkpoint moves, and whether there is more to read. */
    protected abstract boolean pageDone(SourceRun run);

    @Override
    public Batch next(SourceRun run, MimecastCalls calls) throws Exception {
        if (!run.more) {
            return null;
        }
        Exchange answer = calls.call(request(run));
        return page(run, records(run, answer));
    }

    /** The batch of a page's records: its headers, the feed's or file's where there is one. */
    protected Batch page(SourceRun run, List<ObjectNode> records) {
        return Batch.of(run, records);
    }

    @Override
    public void delivered(SourceRun run, Batch batch, Exchange completed) {
        run.more = pageDone(run);
    }
}
