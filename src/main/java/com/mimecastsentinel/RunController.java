package com.mimecastsentinel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.mimecastsentinel.checkpoint.LeaseKeeper;
import com.mimecastsentinel.config.ConfigurationException;
import com.mimecastsentinel.config.Settings;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.StartupListener;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheckRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what runs once the routes are up. Every log type is a route consuming {@code direct:poll-<logType>}
 * (see routes/). As a service, each enabled log type gets a Quartz trigger on its cron and a first run right away.
 * With RUN_ONCE, each enabled log type runs once until caught up, then the context stops and the exit status
 * says whether all succeeded.
 */
public final class RunController implements StartupListener {
    private static final Logger LOG = LoggerFactory.getLogger(RunController.class);
    public static final String POLL_PREFIX = "direct://poll-";
    private static final int NOT_RUN_ONCE = -1;
    private static final int RUNNING = -2;
    private static final AtomicInteger EXIT_CODE = new AtomicInteger(NOT_RUN_ONCE);

    private final Settings settings;
    private final ConnectorHealthCheck health;

    public RunController(Settings settings, ConnectorHealthCheck health) {
        this.settings = settings;
        this.health = health;
    }

    /**
     * Exit status for the process: 0 for a service, and with RUN_ONCE 0 only when every log type ran to the
     * end (1 when one failed or a shutdown cut the runs short).
     */
    public static int exitCode() {
        int code = EXIT_CODE.get();
        return code == NOT_RUN_ONCE ? 0 : code == RUNNING ? 1 : code;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // health and metrics, when camel-main's management server set them up
        HealthCheckRegistry checks = HealthCheckRegistry.get(context);
        if (checks != null) {
            health.setCamelContext(context);
            checks.register(health);
        }
        MeterRegistry meters = context.getRegistry().findSingleByType(MeterRegistry.class);
        if (meters != null) {
            ConnectorServices.from(context).metrics().bind(meters);
        }
    }

    @Override
    public void onCamelContextStarting(CamelContext context, boolean alreadyStarted) {
        EXIT_CODE.set(NOT_RUN_ONCE);
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) throws Exception {
        List<String> enabled = enabledLogTypes(context);
        ProducerTemplate trigger = context.createProducerTemplate();
        context.addService(new LeaseKeeper(ConnectorServices.from(context).leases(), enabled, !settings.runOnce,
                settings.leaseDuration, logType -> trigger.asyncSend("direct:poll-" + logType, exchange -> { })),
                true, true);
        if (settings.runOnce) {
            EXIT_CODE.set(RUNNING);
            Thread runner = new Thread(() -> runOnce(context, enabled), "run-once");
            runner.start();
            return;
        }
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (String logType : enabled) {
                    String cron = settings.scheduleFor(logType).replace(' ', '+');
                    from("quartz:mimecast/" + logType + "?cron=" + cron).routeId("schedule-" + logType)
                            .to("direct:poll-" + logType);
                }
            }
        });
        for (String logType : enabled) {
            LOG.info("{}: scheduled with cron '{}'; first run now", logType, settings.scheduleFor(logType));
            trigger.asyncSend("direct:poll-" + logType, exchange -> { });
        }
    }

    private void runOnce(CamelContext context, List<String> enabled) {
        int failed = 0;
        try (ProducerTemplate producer = context.createProducerTemplate()) {
            for (String logType : enabled) {
                Exchange result = producer.send("direct:poll-" + logType, exchange -> { });
                if (result.getException() != null || result.getProperty("mcFailed") != null
                        || result.getProperty("mcInterrupted") != null) {
                    failed++;
                }
            }
        } catch (Exception e) {
            LOG.error("RUN_ONCE stopped: {}", e.toString());
            failed++;
        }
        EXIT_CODE.set(failed == 0 ? 0 : 1);
        LOG.info("RUN_ONCE finished: {} of {} log types succeeded", enabled.size() - failed, enabled.size());
        new Thread(() -> {
            try {
                context.stop();
            } catch (RuntimeException e) {
                LOG.warn("stopping Camel: {}", e.toString());
            }
        }, "run-once-stop").start();
    }

    /** The log types MIMECAST_LOG_TYPES names (all routes' log types when empty); unknown names stop start-up. */
    List<String> enabledLogTypes(CamelContext context) {
        List<String> known = new ArrayList<>();
        for (Route route : context.getRoutes()) {
            String uri = route.getEndpoint().getEndpointUri();
            if (uri.startsWith(POLL_PREFIX)) {
                known.add(uri.substring(POLL_PREFIX.length()).replaceAll("\\?.*", ""));
            }
        }
        if (known.isEmpty()) {
            // e.g. routes/*.yaml not found from the working directory, or a runner that skipped them
            throw new IllegalStateException("no log type routes were loaded (expected routes/<logType>.yaml files "
                    + "with a templatedRoute each, next to routes/templates.yaml)");
        }
        if (settings.logTypes.isEmpty()) {
            return known;
        }
        for (String wanted : settings.logTypes) {
            if (!known.contains(wanted)) {
                throw new ConfigurationException("MIMECAST_LOG_TYPES",
                        "names unknown log type '" + wanted + "'; known: " + known);
            }
        }
        return settings.logTypes;
    }
}
