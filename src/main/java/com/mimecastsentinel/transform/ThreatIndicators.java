package com.mimecastsentinel.transform;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.checkpoint.CheckpointRepository;
import com.mimecastsentinel.checkpoint.DropDelivered;
import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.run.BatchScope;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The threat-intel log type's mapping: the objects of a Mimecast STIX 2.0 bundle page become the indicators
 * Sentinel's STIX upload takes ({@link StixIndicators}), each with its id and version as its stable id, so an
 * updated indicator is sent again and an unchanged one is not. Malware and relationship objects are left out; an
 * indicator that lacks a required property goes to the dead letters.
 */
public class ThreatIndicators implements Processor, CamelContextAware {
    private static final ObjectMapper JSON = new ObjectMapper();
    private CamelContext camelContext;

    @Override
    public void process(Exchange exchange) throws Exception {
        List<?> objects = exchange.getMessage().getBody(List.class);
        BatchScope run = BatchScope.of(exchange);
        RowBatch rows = new RowBatch(objects.size());
        for (Object item : objects) {
            if (!(item instanceof ObjectNode object)) {
                continue;
            }
            Optional<ObjectNode> indicator = StixIndicators.toIndicator(object);
            if (indicator.isPresent()) {
                byte[] json = JSON.writeValueAsBytes(indicator.get());
                long modified = EventTimes.parse(indicator.get().get("modified")).orElseGet(Instant::now).toEpochMilli();
                rows.add(json, 0, json.length, StixIndicators.versionId(indicator.get()), modified);
                continue;
            }
            if (run != null) {
                run.skipped.increment(); // malware and relationship objects are left out by design
            }
            String logType = run == null ? exchange.getFromRouteId() : run.logType;
            // a damaged indicator is dead-lettered once: its version is remembered like a delivered one, so the
            // overlap read again by the next run does not dead-letter it a second time
            if ("indicator".equals(object.path("type").asText()) && camelContext.getRegistry()
                    .lookupByNameAndType(CheckpointRepository.BEAN, CheckpointRepository.class)
                    .add(DropDelivered.key(logType, StixIndicators.versionId(object), EventTimes.parse(
                            object.get("modified")).orElseGet(Instant::now).toEpochMilli()))) {
                camelContext.getRegistry().lookupByNameAndType(DeadLetters.BEAN, DeadLetters.class).put(
                        logType, "indicator lacks a required property (id, created, pattern)",
                        object.path("id").asText("no id"), object.toString());
            }
        }
        exchange.getMessage().setBody(rows);
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
