package com.mimecastsentinel.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.mimecastsentinel.config.ConfigurationException;
import org.apache.camel.CamelContext;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ModelLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;

/**
 * The log types' routes for each declared account (MIMECAST_ACCOUNTS_FILE), made from the log type's own route as
 * routes/*.yaml declare it, so that no route file is copied: the same steps (a deep copy of its definitions, their
 * node ids prefixed with the account's name, as Camel copies a route template's), read from
 * {@code mimecast:<logType>?account=#bean:mimecast-<name>}, with the route id {@code accounts/<name>/<logType>}: the
 * name of its checkpoint, lease and dead letters too. A route of the user's that names its account is left as it is,
 * and none is made where one already reads that account's log type. Each account's cron fires at a second of its own
 * unless its entry names a schedule, so that many accounts do not call Mimecast in the same second. A log type's
 * route file reloaded (ROUTES_RELOAD) makes its accounts' routes again, with the edited steps.
 */
public final class AccountRoutes implements ModelLifecycleStrategy {
    /** One account's routes: its bean, its log types (empty: all) and its schedule (null: each log type's). */
    public record Declared(String name, List<String> logTypes, String schedule) {
    }

    private final CamelContext context;
    private final List<Declared> accounts;
    /** The ids of the routes this made: Camel tells this of their adding too, and they are not the user's own. */
    private final Set<String> made = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Route ids the user's own routes of an account took. */
    private final Set<String> own = new java.util.HashSet<>();
    private final Set<String> logTypes = new TreeSet<>();

    public AccountRoutes(CamelContext context, List<Declared> accounts) {
        this.context = context;
        this.accounts = List.copyOf(accounts);
    }

    /** The bean of a declared account. */
    public static String bean(String name) {
        return MimecastAccount.BEAN + "-" + name;
    }

    @Override
    public void onAddRouteDefinition(RouteDefinition route) {
        FromDefinition from = route.getInput();
        String uri = from == null ? null : from.getEndpointUri();
        if (uri == null || !uri.startsWith("mimecast:") || route.getId() != null && made.contains(route.getId())) {
            return;
        }
        if (query(uri).stream().anyMatch(p -> p.startsWith("account="))) {
            if (route.getId() != null) {
                own.add(route.getId()); // a route of the user's for an account: none is made in its place
            }
            return;
        }
        String logType = logType(uri);
        logTypes.add(logType);
        List<RouteDefinition> copies = new ArrayList<>();
        for (Declared account : accounts) {
            if (!account.logTypes().isEmpty() && !account.logTypes().contains(logType)) {
                continue;
            }
            String id = MimecastAccount.NAMESPACE + account.name() + "/" + logType;
            if (own.contains(id)) {
                continue;
            }
            RouteDefinition copy = new RouteDefinition();
            copy.setId(id);
            copy.setNodePrefixId(account.name() + "-");
            copy.setInput(new FromDefinition(accountUri(uri, account)));
            @SuppressWarnings({ "unchecked", "rawtypes" })
            List<org.apache.camel.model.ProcessorDefinition<?>> steps = (List) org.apache.camel.model
                    .ProcessorDefinitionHelper.deepCopyDefinitions(route.getOutputs());
            copy.setOutputs(steps);
            copy.setRoutePolicyRef(route.getRoutePolicyRef());
            copy.setAutoStartup(route.getAutoStartup());
            copy.setGroup(route.getGroup());
            copy.setRouteConfigurationId(route.getRouteConfigurationId());
            copy.setShutdownRoute(route.getShutdownRoute());
            copy.setErrorHandlerRef(route.getErrorHandlerRef());
            copy.setDescription("the route of log type " + logType + " for account " + account.name());
            copies.add(copy);
            made.add(id);
        }
        if (!copies.isEmpty()) {
            try {
                ((ModelCamelContext) context).addRouteDefinitions(copies);
            } catch (Exception e) {
                throw new IllegalStateException("the routes of log type " + logType + " for the declared accounts: "
                        + e.getMessage(), e);
            }
        }
    }

    /**
     * Every log type an account names has a route (called once the routes are loaded): a name no route has stops
     * start-up, naming the account.
     */
    public void requireKnown() {
        for (Declared account : accounts) {
            for (String logType : account.logTypes()) {
                if (!logTypes.contains(logType)) {
                    throw new ConfigurationException("MIMECAST_ACCOUNTS_FILE", "account '" + account.name()
                            + "' names unknown log type '" + logType + "'; known: " + logTypes);
                }
            }
        }
    }

    @Override
    public void onRemoveRouteDefinition(RouteDefinition route) {
        // a reloaded log type's route is added again right after: its accounts' routes are made again then, in place
        // of these; a route of the user's that is removed no longer stands in for one
        if (route != null) { // Camel calls this with null for an id it did not have before an add
            own.remove(route.getId());
        }
    }

    @Override
    public void onAddRouteTemplateDefinition(RouteTemplateDefinition template) {
        // templates are the user's own: an account's route is made from a log type's route
    }

    @Override
    public void onRemoveRouteTemplateDefinition(RouteTemplateDefinition template) {
    }

    /** The log type's endpoint with the account and its schedule instead of the route's. */
    private String accountUri(String uri, Declared account) {
        String cron = account.schedule();
        List<String> parameters = new ArrayList<>();
        for (String parameter : query(uri)) {
            if (parameter.startsWith("scheduler.cron=")) {
                if (cron == null) {
                    cron = ownSecond(context.resolvePropertyPlaceholders(decode(parameter.substring(
                            "scheduler.cron=".length()))), account.name());
                }
                continue;
            }
            parameters.add(parameter);
        }
        if (cron != null) {
            parameters.add("scheduler.cron=RAW(" + cron + ")");
        }
        parameters.add("account=%23bean:" + bean(account.name()));
        int query = uri.indexOf('?');
        return (query < 0 ? uri : uri.substring(0, query)) + "?" + String.join("&", parameters);
    }

    /**
     * A cron at the second this account has of its own (a hash of its name) when the cron fires at second 0: the
     * accounts spread over the minute instead of calling Mimecast together.
     */
    static String ownSecond(String cron, String name) {
        String[] fields = cron.trim().split("\\s+");
        if (fields.length < 6 || !fields[0].equals("0")) {
            return cron;
        }
        fields[0] = String.valueOf(Math.floorMod(name.hashCode(), 60));
        return String.join(" ", fields);
    }

    private static String logType(String uri) {
        String path = uri.substring("mimecast:".length());
        path = path.startsWith("//") ? path.substring(2) : path;
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    private static List<String> query(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? List.of() : List.of(uri.substring(query + 1).split("&"));
    }

    /** A parameter's value as the URI carries it: RAW(…) as it is, else URL-decoded. */
    private static String decode(String value) {
        return value.startsWith("RAW(") && value.endsWith(")") ? value.substring(4, value.length() - 1)
                : java.net.URLDecoder.decode(value, java.nio.charset.StandardCharsets.UTF_8);
    }
}
