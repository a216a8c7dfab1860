package com.mimecastsentinel.transform;

import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Mimecast's STIX 2.0 feed objects to what Sentinel's STIX upload takes. Only indicators are kept: Sentinel's
 * threat intelligence is indicator-centric, and the feed's malware and relationship objects would only add
 * objects pointing at each other. Each indicator becomes STIX 2.1 ({@code spec_version}, {@code pattern_type}).
 */
public final class StixIndicators {
    private StixIndicators() {
    }

    /** The STIX 2.1 indicator for a feed object, or empty when it is not an indicator or cannot be one. */
    public static Optional<ObjectNode> toIndicator(ObjectNode object) {
        if (!"indicator".equals(object.path("type").asText())) {
            return Optional.empty();
        }
        ObjectNode indicator = object.deepCopy();
        indicator.put("spec_version", "2.1");
        if (!indicator.hasNonNull("pattern_type")) {
            indicator.put("pattern_type", "stix");
        }
        if (!indicator.hasNonNull("valid_from") && indicator.hasNonNull("created")) {
            indicator.set("valid_from", indicator.get("created"));
        }
        if (!indicator.hasNonNull("modified") && indicator.hasNonNull("created")) {
            indicator.set("modified", indicator.get("created"));
        }
        for (String required : new String[] { "id", "created", "modified", "pattern", "valid_from" }) {
            if (!indicator.hasNonNull(required)) {
                return Optional.empty();
            }
        }
        return Optional.of(indicator);
    }

    /** Stable id of an indicator version: a changed indicator (new {@code modified}) is uploaded again. */
    public static String versionId(ObjectNode indicator) {
        return indicator.path("id").asText() + "|" + indicator.path("modified").asText();
    }
}
