package com.mimecastsentinel.run;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.mimecastsentinel.source.MimecastAccount;

import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.cluster.ClusterServiceSelectors;

/**
 * The {@code leadership} route policy of the log types' source routes: each route under Camel's own
 * {@link ClusteredRoutePolicy} for the namespace of its log type (a declared account's log types: the account's,
 * {@link MimecastAccount#leadership}), so that it runs on the instance leading that log type only and starts on a
 * standby once the leader is gone. One clustered policy per route (the log types' routes
 * share this bean, each needs its own namespace). The cluster service is the one with the lowest order in the
 * CamelContext: the connector's leases ({@code LeaseClusterService}), or one configured in its place
 * (camel-kubernetes' Lease service, docs/running.md). A route the runs policy left out (not in MIMECAST_LOG_TYPES)
 * is not managed: it takes no lease.
 */
public final class LogTypeLeadership implements RoutePolicy {
    public static final String BEAN = "leadership";

    private final Map<String, ClusteredRoutePolicy> policies = new ConcurrentHashMap<>();

    @Override
    public void onInit(Route route) {
        if (!route.isAutoStartup()) {
            return; // a log type that does not run here (mimecastRuns comes first on the route)
        }
        try {
            ClusteredRoutePolicy policy = ClusteredRoutePolicy.forNamespace(route.getCamelContext(),
                    ClusterServiceSelectors.order(), MimecastAccount.leadership(route.getRouteId()));
            ServiceHelper.initService(policy);
            if (route.getCamelContext().isStarted()) {
                // a route added to a running context (a reloaded route file): Camel's policy lets a route it adds
                // start as usual only when it already knows this instance leads (else it starts it only when the
                // leadership changes): it registers with a view that has decided, and is told so at once
                onDecidedView(route, () -> policy.onInit(route));
            } else {
                policy.onInit(route);
            }
            ServiceHelper.startService(policy);
            policies.put(route.getRouteId(), policy);
        } catch (Exception e) {
            throw new IllegalStateException(route.getRouteId() + ": no leadership for this log type: " + e, e);
        }
    }

    /**
     * Runs {@code init} while the log type's view of the connector's leases is held and has tried the lease once
     * (another cluster service is left to tell when it can).
     */
    private static void onDecidedView(Route route, Runnable init) throws Exception {
        var cluster = org.apache.camel.support.cluster.ClusterServiceHelper.lookupService(route.getCamelContext(),
                ClusterServiceSelectors.order());
        if (cluster.isEmpty() || !(cluster.get() instanceof com.mimecastsentinel.checkpoint.LeaseClusterService leases)) {
            init.run();
            return;
        }
        var view = leases.getView(MimecastAccount.leadership(route.getRouteId()));
        try {
            ((com.mimecastsentinel.checkpoint.LeaseClusterService.View) view).awaitDecision(
                    java.time.Duration.ofSeconds(30));
            init.run();
        } finally {
            leases.releaseView(view);
        }
    }

    @Override
    public void onRemove(Route route) {
        ClusteredRoutePolicy policy = policies.remove(route.getRouteId());
        if (policy != null) {
            policy.onRemove(route);
            ServiceHelper.stopAndShutdownService(policy);
        }
    }

    @Override
    public void onStart(Route route) {
        forward(route, policy -> policy.onStart(route));
    }

    @Override
    public void onStop(Route route) {
        forward(route, policy -> policy.onStop(route));
    }

    @Override
    public void onSuspend(Route route) {
        forward(route, policy -> policy.onSuspend(route));
    }

    @Override
    public void onResume(Route route) {
        forward(route, policy -> policy.onResume(route));
    }

    @Override
    public void onExchangeBegin(Route route, Exchange exchange) {
        forward(route, policy -> policy.onExchangeBegin(route, exchange));
    }

    @Override
    public void onExchangeDone(Route route, Exchange exchange) {
        forward(route, policy -> policy.onExchangeDone(route, exchange));
    }

    private void forward(Route route, java.util.function.Consumer<ClusteredRoutePolicy> call) {
        ClusteredRoutePolicy policy = policies.get(route.getRouteId());
        if (policy != null) {
            call.accept(policy);
        }
    }
}
