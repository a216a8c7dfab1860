package com.mimecastsentinel.demo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The simulated threat intelligence feeds: per time slot a STIX 2.0 malware object, an indicator (a file hash
 * pattern) and the relationship between them, as Mimecast's feed returns them.
 */
public final class ThreatFeeds {
    public static final String PATH = "/api/ttp/threat-intel/get-feed";

    private ThreatFeeds() {
    }

    public static Map<String, EventGenerator> all(ObjectMapper json, Duration interval) {
        Duration rarer = interval.multipliedBy(6);
        return Map.of("malware_customer", new EventGenerator(rarer, "ti-customer", s -> bundleOf(json, s)),
                "malware_grid", new EventGenerator(rarer, "ti-grid", s -> bundleOf(json, s)));
    }

    /** The three objects of one slot, wrapped so the generator can hand them out as one item. */
    static ObjectNode bundleOf(ObjectMapper json, EventGenerator.Seed s) {
        String time = s.time.toString();
        String hash = s.hex(64);
        String indicatorId = "indicator--" + uuid(s.hex(32));
        String malwareId = "malware--" + uuid(s.hex(40).substring(8));
        ObjectNode item = json.createObjectNode();
        item.putObject("malware").put("type", "malware").put("id", malwareId).put("created", time)
                .put("modified", time).put("name", "Trojan.Generic." + s.pick(2, 9999))
                .putArray("labels").add("trojan");
        ObjectNode indicator = item.putObject("indicator");
        indicator.put("type", "indicator").put("id", indicatorId).put("created", time).put("modified", time)
                .put("pattern", "[file:hashes.'SHA-256' = '" + hash + "']").put("valid_from", time)
                .putArray("labels").add("malicious-activity");
        if (s.slot % 97 == 0) {
            indicator.remove("pattern"); // now and then a damaged object, as real feeds have
        }
        item.putObject("relationship").put("type", "relationship").put("id", "relationship--" + uuid(s.hex(48)
                .substring(16))).put("created", time).put("modified", time).put("relationship_type", "indicates")
                .put("source_ref", indicatorId).put("target_ref", malwareId);
        return item;
    }

    static List<ObjectNode> objects(ObjectNode item) {
        return List.of((ObjectNode) item.get("malware"), (ObjectNode) item.get("indicator"),
                (ObjectNode) item.get("relationship"));
    }

    private static String uuid(String hex) {
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-4" + hex.substring(13, 16) + "-a"
                + hex.substring(17, 20) + "-" + hex.substring(20, 32);
    }
}
