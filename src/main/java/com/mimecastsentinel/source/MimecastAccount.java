package com.mimecastsentinel.source;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * A Mimecast account as the {@code mimecast} endpoints call it: where its API answers and how its requests are
 * signed (OAuth 2.0 or HMAC, with its credentials). The bean {@value #BEAN} (made from the MIMECAST_* settings, or
 * the demo's) is every endpoint's {@code account} unless it names another. Each call of a run carries its
 * endpoint's account (the exchange variable {@value #VARIABLE}) through routes/mimecast-api.yaml, whose signing step
 * ({@link #signing}) sends it to the account's base URL, signed with its credentials.
 */
public final class MimecastAccount {
    public static final String BEAN = "mimecast";
    static final String VARIABLE = "mimecastAccount";

    private final String baseUrl;
    private final MimecastAuth auth;

    public MimecastAccount(String baseUrl, MimecastAuth auth) {
        this.baseUrl = baseUrl;
        this.auth = auth;
    }

    public String baseUrl() {
        return baseUrl;
    }

    public MimecastAuth auth() {
        return auth;
    }

    /** The account of a call, or {@code fallback} for a call that names none. */
    static MimecastAccount of(Exchange exchange, MimecastAccount fallback) {
        MimecastAccount account = exchange.getVariable(VARIABLE, MimecastAccount.class);
        return account != null ? account : fallback;
    }

    /**
     * The signing step of the Mimecast routes: the call goes to its account's base URL ({@code CamelHttpUri}, a
     * URL from the settings, never from an answer), signed with its credentials.
     */
    public static Processor signing(MimecastAccount fallback) {
        return exchange -> {
            MimecastAccount account = of(exchange, fallback);
            exchange.getMessage().setHeader(Exchange.HTTP_URI, account.baseUrl);
            account.auth.process(exchange);
        };
    }
}
