package com.mimecastsentinel.source;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Signs a request to the Mimecast API (the step before the {@code https:} call of the Mimecast routes): API 2.0 with
 * {@code Authorization: Bearer <OAuth token>}, API 1.0 with the HMAC headers ({@code x-mc-date}, {@code x-mc-req-id},
 * {@code x-mc-app-id}, {@code Authorization: MC <access key>:<signature>}) over the request's path
 * ({@code CamelHttpPath}). A fresh signature each attempt: a retried request is signed again.
 */
public final class MimecastAuth implements Processor {
    /** The headers that sign a request (API 2.0 and 1.0), lower case. */
    private static final java.util.Set<String> SIGNATURE = java.util.Set.of("authorization", "x-mc-date",
            "x-mc-req-id", "x-mc-app-id");

    private final OAuthToken oauth;
    private final HmacSigner hmac;

    private MimecastAuth(OAuthToken oauth, HmacSigner hmac) {
        this.oauth = oauth;
        this.hmac = hmac;
    }

    public static MimecastAuth oauth(OAuthToken token) {
        return new MimecastAuth(token, null);
    }

    public static MimecastAuth hmac(HmacSigner signer) {
        return new MimecastAuth(null, signer);
    }

    @Override
    public void process(Exchange exchange) {
        if (oauth != null) {
            exchange.getMessage().setHeader("Authorization", "Bearer " + oauth.get());
            return;
        }
        String path = exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class);
        hmac.headers(path).forEach(exchange.getMessage()::setHeader);
    }

    /**
     * The call sent with this {@code Authorization} header was refused (401): its OAuth token was revoked or expired
     * early, so it is forgotten and the retry fetches a new one (unless another call already did). An HMAC signature
     * does not expire: API 1.0 calls are not tried again on a 401.
     */
    public void rejected(String authorization) {
        if (oauth != null && authorization != null && authorization.startsWith("Bearer ")) {
            oauth.forget(authorization.substring("Bearer ".length()));
        }
    }

    /** Proves the credentials work where that can be known without a call (a token can be had). */
    public void check() {
        if (oauth != null) {
            oauth.get();
        }
    }

    /** Whether a header is one that signs a request (it must not travel on with an answer). */
    public static boolean signs(String header) {
        return SIGNATURE.contains(header.toLowerCase(java.util.Locale.ROOT));
    }

    public boolean api2() {
        return oauth != null;
    }
}
