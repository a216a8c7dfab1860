package com.mimecastsentinel.demo;

import java.time.Duration;

import com.mimecastsentinel.config.DemoAccount;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo (README command 1), found by the connector through {@link DemoAccount} when no Mimecast credentials are
 * set: the embedded Mimecast simulator, started as a service of the Camel context on loopback, with its public demo
 * credentials. The settings choose the file checkpoint store and the file sink in that case.
 */
public final class DemoMode implements DemoAccount {
    private static final Logger LOG = LoggerFactory.getLogger(DemoMode.class);

    /** Starts a simulator ({@code port} 0 for any free port). */
    @Override
    public Started start(CamelContext context, int port) throws Exception {
        MimecastSimulator simulator = new MimecastSimulator(port, Duration.ofMinutes(5), null);
        simulator.start();
        context.addService(simulator, true, true);
        String url = simulator.url().toString();
        LOG.warn("DEMO MODE: no Mimecast credentials are set (MIMECAST_CLIENT_ID or MIMECAST_APP_ID), so the "
                + "connector reads generated events from the embedded Mimecast simulator at {}", url);
        return new Started(url, MimecastSimulator.DEMO_CLIENT_ID, MimecastSimulator.DEMO_CLIENT_SECRET);
    }
}
