package com.mimecastsentinel.run;

import io.micrometer.core.instrument.Tags;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.eventnotifier.MicrometerExchangeEventNotifier;
import org.apache.camel.component.micrometer.eventnotifier.MicrometerExchangeEventNotifierNamingStrategy;
import org.apache.camel.spi.CamelEvent.ExchangeEvent;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.support.ExchangeHelper;

/**
 * The tags of camel-micrometer's exchange event timers ({@code camel.exchange.event.notifier}), always with a
 * {@code routeId}. Camel's own naming leaves the tag out for an exchange no route created (a producer template's:
 * the checkpoint writes, each file download), and Prometheus refuses a meter whose tag keys differ from the first
 * one of its name, so those timers went missing with a warning. Here such an exchange is tagged with the route it
 * was sent to (or {@code ""}); names and everything else stay those of the naming strategy camel-main configured.
 */
public final class ExchangeMeterTags implements MicrometerExchangeEventNotifierNamingStrategy {
    private final MicrometerExchangeEventNotifierNamingStrategy configured;

    private ExchangeMeterTags(MicrometerExchangeEventNotifierNamingStrategy configured) {
        this.configured = configured;
    }

    @Override
    public String getName(Exchange exchange, Endpoint endpoint) {
        return configured.getName(exchange, endpoint);
    }

    @Override
    public boolean isBaseEndpointURI() {
        return configured.isBaseEndpointURI();
    }

    @Override
    public String formatName(String name) {
        return configured.formatName(name);
    }

    @Override
    public String getInflightExchangesName() {
        return configured.getInflightExchangesName();
    }

    @Override
    public Tags getInflightExchangesTags(CamelContext camelContext, String routeId) {
        return configured.getInflightExchangesTags(camelContext, routeId);
    }

    @Override
    public Tags getTags(ExchangeEvent event, Endpoint endpoint) {
        Tags tags = configured.getTags(event, endpoint);
        if (event.getExchange().getFromRouteId() != null) {
            return tags;
        }
        String at = ExchangeHelper.getAtRouteId(event.getExchange());
        return tags.and(MicrometerConstants.ROUTE_ID_TAG, at == null ? "" : at);
    }

    /** Gives camel-main's exchange event notifier (when metrics are on) these tags. */
    public static void install(CamelContext context) {
        for (EventNotifier notifier : context.getManagementStrategy().getEventNotifiers()) {
            if (notifier instanceof MicrometerExchangeEventNotifier exchanges
                    && !(exchanges.getNamingStrategy() instanceof ExchangeMeterTags)) {
                exchanges.setNamingStrategy(new ExchangeMeterTags(exchanges.getNamingStrategy()));
            }
        }
    }
}
