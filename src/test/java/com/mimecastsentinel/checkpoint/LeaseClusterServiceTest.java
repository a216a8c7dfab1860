package com.mimecastsentinel.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.mimecastsentinel.support.Azurite;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Leadership through Camel's cluster SPI on Blob leases (Azurite): a route under a clustered route policy runs on
 * the instance holding its namespace's lease only, and a standby's route starts once the leader stops (it gives its
 * leases up) — Camel's own ClusteredRoutePolicy, not ours, doing the starting and stopping.
 */
@ExtendWith(Azurite.class)
class LeaseClusterServiceTest {
    private static final Duration LEASE = Duration.ofSeconds(15); // Blob's shortest lease

    @Test
    void theRouteRunsOnTheLeaseHolderOnlyAndAStandbyTakesOverWhenItStops() throws Exception {
        BlobContainerClient container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString())
                .buildClient().getBlobContainerClient("cluster-" + System.nanoTime());
        container.create();
        CamelContext first = instance(container, "first");
        waitFor(() -> status(first) == ServiceStatus.Started, "the first instance leads and runs the route");

        CamelContext second = instance(container, "second");
        CamelClusterView secondView = second.hasService(LeaseClusterService.class).getView("audit");
        List<Boolean> secondLeads = new CopyOnWriteArrayList<>();
        secondView.addEventListener((CamelClusterEventListener.Leadership) (view, leader) ->
                secondLeads.add(leader != null && leader.isLocal()));
        Thread.sleep(LEASE.dividedBy(3).toMillis() + 1000); // a try of the second instance's view
        assertTrue(status(second) != ServiceStatus.Started, "the standby does not run it: " + status(second));
        assertTrue(secondView.getLeader().isEmpty(), "no leader the standby knows of");

        first.stop(); // gives the leases up
        waitFor(() -> status(second) == ServiceStatus.Started, "the standby takes over within a third of a lease");
        // a listener is told the leadership as it is when it registers (nobody it knows), then the change
        assertEquals(List.of(false, true), secondLeads, "told once that it leads");
        assertEquals("second", secondView.getLocalMember().getId());
        second.stop();
        container.delete();
    }

    /** An instance: its own lease id on the shared container, the cluster service, one clustered route. */
    private static CamelContext instance(BlobContainerClient container, String id) throws Exception {
        CamelContext context = new DefaultCamelContext();
        LeaseClusterService cluster = new LeaseClusterService(new BlobLeases(container, id, LEASE, ""), id, LEASE,
                logType -> { });
        context.addService(cluster);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() throws Exception {
                from("timer:audit?period=1000").routeId("audit")
                        .routePolicy(ClusteredRoutePolicy.forNamespace(cluster, "audit"))
                        .log("tick");
            }
        });
        context.start();
        return context;
    }

    private static ServiceStatus status(CamelContext context) {
        return context.getRouteController().getRouteStatus("audit");
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + LEASE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within a lease time: " + what);
            }
            Thread.sleep(100);
        }
    }
}
