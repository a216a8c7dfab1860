package com.mimecastsentinel.run;

import io.micrometer.core.instrument.Tags;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.eventnotifier.MicrometerExchangeEventNotifier;
import org.apache.camel.component.micrometer.eventnotifier.MicrometerExchangeEventNotifierNamingStrategyDefault;
import org.apache.camel.spi.CamelEvent.ExchangeEvent;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.support.ExchangeHelper;

/**
 * The tags of camel-micrometer's {@code camel.exchange.event.notifier} timers, always with a {@code routeId}.
 * Camel's own naming leaves the tag out for an exchange no route created (a producer template's: the checkpoint
 * writes, the token requests, each file download), and Prometheus refuses a meter whose tag keys differ from the
 * first one of its name, so those timers went missing with a warning. Here such an exchange is tagged with the
 * route it was sent to.
 */
public final class ExchangeMeterTags extends MicrometerExchangeEventNotifierNamingStrategyDefault {

    public ExchangeMeterTags() {
        super(true);
    }

    @Override
    public Tags getTags(ExchangeEvent event, Endpoint endpoint) {
        Tags tags = super.getTags(event, endpoint);
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
                exchanges.setNamingStrategy(new ExchangeMeterTags());
            }
        }
    }
}
