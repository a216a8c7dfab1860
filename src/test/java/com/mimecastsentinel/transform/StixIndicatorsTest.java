package com.mimecastsentinel.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class StixIndicatorsTest {
    private final ObjectMapper json = new ObjectMapper();

    private ObjectNode object(String text) throws Exception {
        return (ObjectNode) json.readTree(text);
    }

    @Test
    void aStix20IndicatorBecomesStix21() throws Exception {
        ObjectNode indicator = StixIndicators.toIndicator(object("{\"type\":\"indicator\",\"id\":\"indicator--1\","
                + "\"created\":\"2026-01-01T00:00:00Z\",\"modified\":\"2026-01-02T00:00:00Z\",\"labels\":"
                + "[\"malicious-activity\"],\"pattern\":\"[file:hashes.'SHA-256' = 'ab']\","
                + "\"valid_from\":\"2026-01-01T00:00:00Z\"}")).orElseThrow();
        assertEquals("2.1", indicator.path("spec_version").asText());
        assertEquals("stix", indicator.path("pattern_type").asText());
        assertEquals("[file:hashes.'SHA-256' = 'ab']", indicator.path("pattern").asText());
        assertEquals("malicious-activity", indicator.path("labels").path(0).asText());
        assertEquals("indicator--1|2026-01-02T00:00:00Z", StixIndicators.versionId(indicator));
    }

    @Test
    void missingTimesFallBackToCreated() throws Exception {
        ObjectNode indicator = StixIndicators.toIndicator(object("{\"type\":\"indicator\",\"id\":\"indicator--2\","
                + "\"created\":\"2026-01-01T00:00:00Z\",\"pattern\":\"[url:value = 'http://x']\"}")).orElseThrow();
        assertEquals("2026-01-01T00:00:00Z", indicator.path("valid_from").asText());
        assertEquals("2026-01-01T00:00:00Z", indicator.path("modified").asText());
    }

    @Test
    void malwareRelationshipsAndIndicatorsWithoutPatternAreLeftOut() throws Exception {
        assertTrue(StixIndicators.toIndicator(object("{\"type\":\"malware\",\"id\":\"malware--1\"}")).isEmpty());
        assertTrue(StixIndicators.toIndicator(object("{\"type\":\"relationship\",\"id\":\"r--1\"}")).isEmpty());
        assertTrue(StixIndicators.toIndicator(object("{\"type\":\"indicator\",\"id\":\"indicator--3\","
                + "\"created\":\"2026-01-01T00:00:00Z\"}")).isEmpty());
    }
}
