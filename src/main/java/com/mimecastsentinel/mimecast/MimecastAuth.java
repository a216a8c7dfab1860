package com.mimecastsentinel.mimecast;

import java.net.http.HttpRequest;

/** How a request to the Mimecast API is authenticated: API 2.0 bearer token or API 1.0 HMAC signature. */
public interface MimecastAuth {

    /** Adds the authentication headers for a request to {@code path}. */
    void authorize(HttpRequest.Builder request, String path);

    /**
     * Called on HTTP 401: drop cached credentials so the next request authenticates again.
     *
     * @return true when a retry with fresh credentials can help
     */
    boolean invalidate();

    /** Proves the credentials work (a token can be had); throws when they do not. */
    default void check() {
    }
}
