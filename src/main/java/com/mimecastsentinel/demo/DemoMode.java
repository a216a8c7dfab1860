package com.mimecastsentinel.demo;

import java.time.Duration;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's wiring, used only when no Mimecast credentials are set (README command 1): the embedded Mimecast
 * simulator, started as a service of the Camel context on loopback, with its public demo credentials. The settings
 * choose the file checkpoint store and the file sink in that case.
 */
public final class DemoMode {
    private static final Logger LOG = LoggerFactory.getLogger(DemoMode.class);

    private final MimecastSimulator simulator;

    private DemoMode(MimecastSimulator simulator) {
        this.simulator = simulator;
    }

    /** Starts the simulator ({@code demo.simulator-port}, 0 for any free port). */
    public static DemoMode start(CamelContext context, PropertiesComponent properties) throws Exception {
        int port = properties.resolveProperty("demo.simulator-port").map(Integer::parseInt).orElse(0);
        MimecastSimulator simulator = new MimecastSimulator(port, Duration.ofMinutes(5), null);
        simulator.start();
        context.addService(simulator, true, true);
        DemoMode demo = new DemoMode(simulator);
        LOG.warn("DEMO MODE: no Mimecast credentials are set (MIMECAST_CLIENT_ID or MIMECAST_APP_ID), so the "
                + "connector reads generated events from the embedded Mimecast simulator at {}", demo.url());
        return demo;
    }

    public String url() {
        return simulator.url().toString();
    }

    public String clientId() {
        return MimecastSimulator.DEMO_CLIENT_ID;
    }

    public String clientSecret() {
        return MimecastSimulator.DEMO_CLIENT_SECRET;
    }
}
