package com.mimecastsentinel.source;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * A Mimecast account as the {@code mimecast} endpoints call it: where its API answers and how its requests are
 * signed (OAuth 2.0 or HMAC, with its credentials). The bean {@value #BEAN} (made from the MIMECAST_* settings, or
 * the demo's; with only declared accounts, one whose calls say that those settings are missing) is every endpoint's
 * {@code account} unless it names another; a declared account's bean is {@code mimecast-<name>}. Each call of a run carries its
 * endpoint's account (the exchange variable {@value #VARIABLE}) through routes/mimecast-api.yaml, whose signing step
 * ({@link #signing}) sends it to the account's base URL, signed with its credentials.
 */
public final class MimecastAccount {
    public static final String BEAN = "mimecast";
    /** The exchange variable naming a call's or a batch's account (set by the consumer, never from an answer). */
    public static final String VARIABLE = "mimecastAccount";
    /** Where the state of a named account's log types lives: {@code accounts/<name>/<logType>}. */
    public static final String NAMESPACE = "accounts/";
    /** What an account's name may be: it names folders, leases and routes. */
    public static final String NAME = "[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?";

    private final String name;
    private final String baseUrl;
    private final MimecastAuth auth;
    private final com.mimecastsentinel.sentinel.Target target;
    private final java.time.Instant startDate;
    private final java.util.Set<String> named;

    /** The account of the MIMECAST_* settings (or the demo's): its log types' state is where it always was. */
    public MimecastAccount(String baseUrl, MimecastAuth auth) {
        this(null, baseUrl, auth, com.mimecastsentinel.sentinel.Target.SETTINGS, null, java.util.Set.of());
    }

    /**
     * @param name        null for the settings' account; else the account's name (its state under
     *                    {@value #NAMESPACE}{@code <name>/})
     * @param target      where its rows go
     * @param startDate   where its log types without a checkpoint start (null: START_DATE)
     * @param named       the log types its entry names (empty: it named none, and reads every one it can)
     */
    public MimecastAccount(String name, String baseUrl, MimecastAuth auth,
            com.mimecastsentinel.sentinel.Target target, java.time.Instant startDate, java.util.Set<String> named) {
        if (name != null && !name.matches(NAME)) {
            throw new IllegalArgumentException("an account name is lower-case letters, digits and '-' (at most 40)");
        }
        this.name = name;
        this.baseUrl = baseUrl;
        this.auth = auth;
        this.target = target;
        this.startDate = startDate;
        this.named = java.util.Set.copyOf(named);
    }

    /**
     * Whether the account's entry names this log type: one it names must run (a log type it cannot run is a mistake
     * in its entry), one it does not is passed over quietly when it cannot run (the other API generation's).
     */
    public boolean names(String logType) {
        return named.contains(logType);
    }

    /**
     * The leadership namespace (the lease) of a log type's state: a declared account's log types share one, its
     * own ({@code accounts/<name>}), so that a connector of many accounts renews a lease per account, not per account
     * and log type; the MIMECAST_* account's log types each have their own, as always.
     */
    public static String leadership(String state) {
        String account = accountOf(state);
        return account.isEmpty() ? state : NAMESPACE + account;
    }

    /** The account a state name ({@link #qualify}) belongs to: a declared account's name, "" for the settings' one. */
    public static String accountOf(String state) {
        if (!state.startsWith(NAMESPACE)) {
            return "";
        }
        int end = state.indexOf('/', NAMESPACE.length());
        return end < 0 ? state.substring(NAMESPACE.length()) : state.substring(NAMESPACE.length(), end);
    }

    /** The log type of a state name ({@link #qualify}); null for an account's lease ({@code accounts/<name>}). */
    public static String logTypeOf(String state) {
        if (!state.startsWith(NAMESPACE)) {
            return state;
        }
        int end = state.indexOf('/', NAMESPACE.length());
        return end < 0 ? null : state.substring(end + 1);
    }

    /** Null for the settings' account. */
    public String name() {
        return name;
    }

    /** Where its rows go. */
    public com.mimecastsentinel.sentinel.Target target() {
        return target;
    }

    public java.time.Instant startDate() {
        return startDate;
    }

    /**
     * The name of a log type's state for this account: its checkpoint, lease, dead letters, route and run summaries
     * ({@code audit} for the settings' account, {@code accounts/acme/audit} for account {@code acme}), so that two
     * accounts never share one.
     */
    public String qualify(String logType) {
        return name == null ? logType : NAMESPACE + name + "/" + logType;
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
