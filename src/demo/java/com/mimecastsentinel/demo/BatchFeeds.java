package com.mimecastsentinel.demo;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The simulated SIEM batch endpoints (API 2.0): Cloud Gateway events of all ten types and Cloud Integrated
 * events, with the fields Mimecast documents (shared/reference/mimecast-api.md, section 4.1) and, for Cloud
 * Integrated, the fields of real events (entities, mailflow, urlclick).
 */
public final class BatchFeeds {

    /** One simulated listing: its path, the file folder its URLs point to, and its events. */
    public record Feed(String path, String folder, EventGenerator events) {
    }

    static final String[] CG_TYPES = { "receipt", "process", "delivery", "av", "spam", "internal email protect",
        "impersonation protect", "url protect", "attachment protect", "journal" };
    static final String[] CI_TYPES = { "entities", "mailflow", "urlclick" };

    private BatchFeeds() {
    }

    public static Map<String, Feed> all(ObjectMapper json, Duration interval) {
        Duration often = interval.dividedBy(5).isZero() ? interval : interval.dividedBy(5);
        return Map.of(
                "/siem/v1/batch/events/cg", new Feed("/siem/v1/batch/events/cg", "cg",
                        new EventGenerator(often, "siem-cg", s -> event(json, s, CG_TYPES))),
                "/siem/v1/batch/events/ci", new Feed("/siem/v1/batch/events/ci", "ci",
                        new EventGenerator(often, "siem-ci", s -> cloudIntegrated(json, s))));
    }

    static ObjectNode event(ObjectMapper json, EventGenerator.Seed s, String[] types) {
        String type = types[(int) Math.floorMod(s.slot, (long) types.length)];
        ObjectNode event = json.createObjectNode();
        event.put("accountId", "C0A0");
        event.put("aggregateId", s.hex(22));
        event.put("processingId", s.hex(40));
        event.put("timestamp", s.time.toEpochMilli());
        event.put("type", type);
        event.put("subtype", s.pick(2, new String[] { "Allow", "Hold", "Block" }));
        event.put("_offset", s.slot);
        event.put("_partition", s.pick(3, 12));
        String messageId = "<" + s.hex(24) + "@mail.example.com>";
        switch (type) {
            case "receipt" -> {
                event.put("action", s.pick(4, new String[] { "Acc", "Rej" }));
                event.put("direction", "Inbound");
                event.put("messageId", messageId);
                event.put("senderEnvelope", "billing@supplier.example.net");
                event.put("senderHeader", "billing@supplier.example.net");
                event.put("senderIp", "198.51.100." + s.pick(5, 250));
                event.put("recipients", "alice@example.com");
                event.put("subject", "Invoice " + s.pick(6, 9999));
                event.put("spamScore", String.valueOf(s.pick(7, 20)));
                event.put("spamInfo", "[]");
                event.put("spamProcessingDetail", "{\"spf\":{\"allow\":true},\"dkim\":{\"allow\":true}}");
                event.put("tlsVersion", "TLSv1.3");
                event.put("tlsCipher", "TLS_AES_256_GCM_SHA384");
                event.put("virusFound", "");
                event.put("numberAttachments", String.valueOf(s.pick(8, 3)));
            }
            case "process" -> {
                event.put("action", "Acc");
                event.put("messageId", messageId);
                event.put("holdReason", "");
                event.put("attachments", "invoice.pdf");
                event.put("emailSize", String.valueOf(2000 + s.pick(9, 90000)));
                event.put("totalSizeAttachments", String.valueOf(s.pick(10, 80000)));
            }
            case "delivery" -> {
                event.put("messageId", messageId);
                event.put("Hostname", "mx" + s.pick(11, 4) + ".example.com");
                event.put("delivered", "true");
                event.put("deliveryAttempts", "1");
                event.put("deliveryErrors", "");
                event.put("deliveryTime", String.valueOf(s.pick(12, 5000)));
                event.put("destinationIp", "192.0.2." + s.pick(13, 250));
                event.put("route", "Inbound");
                event.put("tlsUsed", "Yes");
            }
            case "av", "attachment protect" -> {
                event.put("messageId", messageId);
                event.put("fileName", "report_" + s.hex(4) + ".docm");
                event.put("fileExtension", "docm");
                event.put("md5", s.hex(32));
                event.put("sha1", s.hex(40));
                event.put("sha256", s.hex(64));
            }
            case "url protect", "urlclick" -> {
                event.put("messageId", messageId);
                event.put("url", "https://login-examp1e.net/" + s.hex(8));
                event.put("blockReason", "Phishing");
                event.put("sender", "news@vendor.example.org");
                event.put("sourceIp", "203.0.113." + s.pick(14, 250));
            }
            case "impersonation protect" -> {
                event.put("messageId", messageId);
                event.put("policyDefinition", "Default Impersonation Definition");
                event.put("newDomain", "false");
                event.put("taggedExternal", "true");
                event.put("taggedMalicious", "false");
            }
            default -> {
                event.put("messageId", messageId);
                event.put("action", "Acc");
            }
        }
        return event;
    }

    /** A Cloud Integrated event: common fields, then those of its type as real events carry them. */
    static ObjectNode cloudIntegrated(ObjectMapper json, EventGenerator.Seed s) {
        String type = CI_TYPES[(int) Math.floorMod(s.slot, (long) CI_TYPES.length)];
        ObjectNode event = json.createObjectNode();
        event.put("_offset", s.slot);
        event.put("_partition", s.pick(3, 12));
        event.put("accountId", "C0A0");
        event.put("aggregateId", s.hex(22));
        event.put("processingId", s.hex(40));
        event.put("timestamp", s.time.toEpochMilli());
        event.put("type", type);
        String messageId = "<" + s.hex(24) + "@mail.example.com>";
        switch (type) {
            case "entities" -> {
                event.put("subtype", s.pick(2, new String[] { "email", "url" }));
                event.putArray("attachments").add("invoice_" + s.hex(4) + ".pdf");
                event.put("direction", s.pick(4, new String[] { "inbound", "outbound", "internal" }));
                event.put("historicalMail", false);
                event.put("messageId", messageId);
                event.putArray("policiesApplied").addObject().put("action", "block").put("mode", "enforce")
                        .put("name", "Default Anti-Phishing");
                event.putArray("recipients").add("alice@example.com");
                event.put("senderEnvelope", "billing@supplier.example.net");
                event.put("senderHeader", "billing@supplier.example.net");
                event.put("senderIp", "198.51.100." + s.pick(5, 250));
                event.put("source", "m365");
                event.put("subject", "Invoice " + s.pick(6, 9999));
                if (s.pick(7, 2) == 0) {
                    event.putNull("tags");
                } else {
                    event.putArray("tags").add("phishing");
                }
                event.put("threatState", s.pick(8, new String[] { "remediated", "detected" }));
                event.put("threatType", s.pick(9, new String[] { "phishing", "malware", "spam" }));
            }
            case "mailflow" -> {
                event.put("subtype", "delivery");
                event.put("messageId", messageId);
                event.putArray("authResults").addObject().put("aligned", true).put("result", "pass").put("type", "spf");
            }
            default -> {
                event.put("subtype", "click");
                event.put("action", s.pick(10, new String[] { "allow", "block" }));
                event.put("originalUrl", "https://login-examp1e.net/" + s.hex(8));
                event.put("redirectUrl", "https://protect.example.com/" + s.hex(8));
                event.put("sourceIp", "203.0.113." + s.pick(11, 250));
            }
        }
        return event;
    }
}
