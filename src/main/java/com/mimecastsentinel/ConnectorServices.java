package com.mimecastsentinel;

import java.time.Clock;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.checkpoint.Checkpoints;
import com.mimecastsentinel.checkpoint.DedupeRepository;
import com.mimecastsentinel.checkpoint.Leases;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.mimecast.MimecastClient;
import com.mimecastsentinel.sentinel.AzureClients;
import com.mimecastsentinel.sentinel.EventSink;
import com.mimecastsentinel.sentinel.RowBatcher;
import org.apache.camel.CamelContext;

/**
 * The shared parts every log type's route uses, built once from the settings and bound in the registry as
 * {@value #BEAN}.
 */
public record ConnectorServices(Settings settings, MimecastClient mimecast, Checkpoints checkpoints,
        DedupeRepository dedupe, EventSink sink, RowBatcher batcher, ConnectorMetrics metrics, Clock clock,
        ObjectMapper json, AzureClients azure, DeadLetters deadLetters, Leases leases) {

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
