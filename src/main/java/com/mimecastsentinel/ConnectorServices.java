package com.mimecastsentinel;

import java.time.Clock;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.checkpoint.CheckpointRepository;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.run.ConnectorMetrics;
import com.mimecastsentinel.source.FileUrls;
import org.apache.camel.CamelContext;

/**
 * The shared parts the sources and the run policy use, built once from the settings and bound in the registry as
 * {@value #BEAN} (the routes refer to the parts they name by their own beans).
 */
public record ConnectorServices(Settings settings, CheckpointRepository checkpoints, DeadLetters deadLetters,
        ConnectorMetrics metrics, Clock clock, ObjectMapper json, FileUrls fileUrls) {

    public static final String BEAN = "connector";

    public static ConnectorServices from(CamelContext context) {
        ConnectorServices services = context.getRegistry().lookupByNameAndType(BEAN, ConnectorServices.class);
        if (services == null) {
            throw new IllegalStateException("bean '" + BEAN + "' is missing: set camel.main.configuration-classes="
                    + ConnectorConfiguration.class.getName() + " in application.properties");
        }
        return services;
    }
}
