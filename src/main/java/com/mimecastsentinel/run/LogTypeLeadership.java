package com.mimecastsentinel.run;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.cluster.ClusterServiceSelectors;

/**
 * The {@code leadership} route policy of the log types' source routes: each route under Camel's own
 * {@link ClusteredRoutePolicy} for the namespace of its log type, so that it runs on the instance leading that log
 * type only and starts on a standby once the leader is gone. One clustered policy per route (the template's routes
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
                    ClusterServiceSelectors.order(), route.getRouteId());
            ServiceHelper.initService(policy);
            policy.onInit(route);
            ServiceHelper.startService(policy);
            policies.put(route.getRouteId(), policy);
        } catch (Exception e) {
            throw new IllegalStateException(route.getRouteId() + ": no leadership for this log type: " + e, e);
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

    /**
     * A source route started by its leadership (at start-up, or by a standby taking over) runs at once rather than
     * at its schedule's next time. Its Quartz trigger was scheduled with the endpoint, before the route started: a
     * fire that came while the route waited found no consumer and was dropped. Such a trigger is scheduled again
     * from the past, so that it fires what it missed now, once, itself (its next fire time stays the schedule's); a
     * trigger that has not fired yet fires its first time on its own.
     */
    @Override
    public void onStart(Route route) {
        forward(route, policy -> {
            policy.onStart(route);
            fireMissed(route);
        });
    }

    private static void fireMissed(Route route) {
        if (route.getConsumer() instanceof org.apache.camel.component.quartz.QuartzConsumer quartz) {
            try {
                org.quartz.Scheduler scheduler = quartz.getEndpoint().getComponent().getScheduler();
                org.quartz.TriggerKey key = quartz.getEndpoint().getTriggerKey();
                org.quartz.Trigger trigger = scheduler.getTrigger(key);
                if (trigger != null && trigger.getPreviousFireTime() != null) {
                    scheduler.rescheduleJob(key, trigger.getTriggerBuilder()
                            .startAt(java.util.Date.from(java.time.Instant.now().minus(java.time.Duration.ofDays(366))))
                            .build());
                }
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(LogTypeLeadership.class).warn("{}: could not start a run now: {}",
                        route.getRouteId(), e.toString());
            }
        }
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
