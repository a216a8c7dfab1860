package com.mimecastsentinel.source;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.spi.Metadata;

/**
 * One batch a source read, as the {@code mimecast} consumer hands it to the route: the body (a page's records as
 * {@code List<ObjectNode>}, or a chunk of a file's lines as {@code Lines}) and its headers (docs/components.md):
 * {@value #LOG_TYPE}, {@value #PAGE}, and where they apply {@value #WINDOW_START} / {@value #WINDOW_END},
 * {@value #FEED}, {@value #FILE} / {@value #LINE}.
 */
public record Batch(Object body, Map<String, Object> headers) {
    @Metadata(description = "The log type", javaType = "String")
    public static final String LOG_TYPE = "MimecastLogType";
    @Metadata(description = "The number of the page in the run (1 for the first); for file chunks, of the listing page",
            javaType = "int")
    public static final String PAGE = "MimecastPage";
    @Metadata(description = "The start of the time window read, where the log type reads by time",
            javaType = "java.time.Instant")
    public static final String WINDOW_START = "MimecastWindowStart";
    @Metadata(description = "The end of the time window read", javaType = "java.time.Instant")
    public static final String WINDOW_END = "MimecastWindowEnd";
    @Metadata(description = "The threat feed of the page", javaType = "String")
    public static final String FEED = "MimecastFeed";
    @Metadata(description = "The file the chunk's last line is from (an API 1.0 file: its name)", javaType = "String")
    public static final String FILE = "MimecastFile";
    @Metadata(description = "The number of the chunk's last line in its file", javaType = "long")
    public static final String LINE = "MimecastLine";
    @Metadata(description = "The name of the declared account the batch is from (absent for the account of the "
            + "MIMECAST_* settings)", javaType = "String")
    public static final String ACCOUNT = "MimecastAccount";

    /** A batch of the run with its log type, page and window (where the run reads one). */
    static Batch of(SourceRun run, Object body) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(LOG_TYPE, MimecastAccount.logTypeOf(run.logType)); // not its state's name: the route file's
        if (run.account != null && run.account.name() != null) {
            headers.put(ACCOUNT, run.account.name());
        }
        headers.put(PAGE, run.pages);
        if (run.windowStart != null) {
            headers.put(WINDOW_START, run.windowStart);
            headers.put(WINDOW_END, run.windowEnd);
        }
        return new Batch(body, headers);
    }

    Batch with(String header, Object value) {
        if (value != null) {
            headers.put(header, value);
        }
        return this;
    }
}
