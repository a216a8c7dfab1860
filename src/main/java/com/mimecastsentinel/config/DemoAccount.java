package com.mimecastsentinel.config;

import java.util.ServiceLoader;

import org.apache.camel.CamelContext;

/**
 * A stand-in for a Mimecast account when no Mimecast credentials are set: the demo's simulator (README command 1).
 * The connector knows it only through this interface ({@link ServiceLoader}): the simulator is built into a jar of
 * its own next to the connector's ({@code target/mimecast-sentinel-<version>-demo.jar}, on the runnable jar's
 * class path), and a deployment without that jar has no demo: it needs credentials.
 */
public interface DemoAccount {

    /** Where the stand-in answers, and the credentials it takes. */
    record Started(String url, String clientId, String clientSecret) {
    }

    /** Starts a stand-in as a service of the Camel context, on {@code port} (0: any free one). */
    Started start(CamelContext context, int port) throws Exception;

    /** The demo on the class path; without it, a clear error naming the settings that are missing. */
    static DemoAccount find() {
        return ServiceLoader.load(DemoAccount.class, DemoAccount.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new ConfigurationException("MIMECAST_CLIENT_ID",
                        "is not set (nor MIMECAST_APP_ID), and the demo is not on the class path "
                                + "(mimecast-sentinel-<version>-demo.jar next to the connector's jar): set the "
                                + "Mimecast credentials (docs/configuration.md)"));
    }
}
