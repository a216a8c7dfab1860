package com.mimecastsentinel.source;

/**
 * A call to the Mimecast API as a source asks for it: the method, the path, the query (URL-encoded, or null) and
 * the JSON body (a POST's request, or null). {@link MimecastCalls} sends it.
 */
public record MimecastRequest(String method, String path, String query, Object body) {

    public static MimecastRequest post(String path, Object body) {
        return new MimecastRequest("POST", path, null, body);
    }

    public static MimecastRequest get(String path, String query) {
        return new MimecastRequest("GET", path, query, null);
    }
}
