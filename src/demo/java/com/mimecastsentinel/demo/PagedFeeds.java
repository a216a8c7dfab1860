package com.mimecastsentinel.demo;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.transform.EventTimes;

/**
 * The simulated paged endpoints, one per log type, with record shapes and field names as Mimecast documents
 * them (see shared/reference/mimecast-api.md, section 4.3).
 */
public final class PagedFeeds {

    /** One simulated endpoint: where its filters and records sit, and how its records look. */
    public record Feed(String path, String startFilter, String endFilter, String recordsKey, EventGenerator events) {
    }

    private static final String[] USERS = { "alice@example.com", "bob@example.com", "carol@example.com",
        "dave@example.com" };
    private static final String[] EXTERNAL = { "billing@supplier.example.net", "news@vendor.example.org",
        "ceo@examp1e.com", "hr@partner.example.net" };
    private static final String[] SUBJECTS = { "Invoice 4711", "Quarterly report", "Password expiry notice",
        "Re: meeting notes", "Shipment update" };

    private PagedFeeds() {
    }

    public static Map<String, Feed> all(ObjectMapper json, Duration interval) {
        return Map.of(
                "/api/audit/get-audit-events", new Feed("/api/audit/get-audit-events", "startDateTime",
                        "endDateTime", null, new EventGenerator(interval, "audit", s -> audit(json, s))),
                "/api/dlp/get-logs", new Feed("/api/dlp/get-logs", "from", "to", "dlpLogs",
                        new EventGenerator(interval, "dlp", s -> dlp(json, s))),
                "/api/ttp/url/get-logs", new Feed("/api/ttp/url/get-logs", "from", "to", "clickLogs",
                        new EventGenerator(interval, "ttp-url", s -> ttpUrl(json, s))),
                "/api/ttp/attachment/get-logs", new Feed("/api/ttp/attachment/get-logs", "from", "to",
                        "attachmentLogs", new EventGenerator(interval, "ttp-attachment", s -> ttpAttachment(json, s))),
                "/api/ttp/impersonation/get-logs", new Feed("/api/ttp/impersonation/get-logs", "from", "to",
                        "impersonationLogs", new EventGenerator(interval, "ttp-imp", s -> impersonation(json, s))),
                "/api/archive/get-archive-search-logs", new Feed("/api/archive/get-archive-search-logs", "start",
                        "end", "logs", new EventGenerator(interval, "archive", s -> archiveSearch(json, s))),
                "/api/gateway/get-held-release-logs", new Feed("/api/gateway/get-held-release-logs", "start",
                        "end", "heldReleaseLogs", new EventGenerator(interval, "held", s -> heldRelease(json, s))),
                // no log type of the connector reads it: an endpoint a user may add as one (docs/customising-routes.md)
                "/api/gateway/get-hold-message-list", new Feed("/api/gateway/get-hold-message-list", "start", "end",
                        null, new EventGenerator(interval, "hold", s -> heldMessage(json, s))));
    }

    /** A message in the held queue, as {@code /api/gateway/get-hold-message-list} lists it. */
    static ObjectNode heldMessage(ObjectMapper json, EventGenerator.Seed s) {
        String[] reasons = { "Message Hold Applied - Spam Signature policy", "Attachment Hold - Dangerous file" };
        int reason = s.pick(2, reasons.length);
        ObjectNode event = json.createObjectNode();
        event.put("id", "eNpHold" + s.hex(28));
        event.put("reason", reasons[reason]);
        event.put("reasonId", reason == 0 ? "MESSAGE_HOLD_APPLIED_SPAM_SIGNATURE_POLICY" : "ATTACHMENT_HOLD");
        event.put("reasonCode", reason == 0 ? "message_hold_applied_spam_signature_policy" : "attachment_hold");
        String sender = s.pick(3, EXTERNAL);
        event.putObject("from").put("emailAddress", sender).put("displayableName", sender.replaceAll("@.*", ""));
        event.putObject("fromHeader").put("emailAddress", sender).put("displayableName", sender.replaceAll("@.*", ""));
        String user = s.pick(4, USERS);
        event.putObject("to").put("emailAddress", user).put("displayableName", user.replaceAll("@.*", ""));
        event.put("subject", s.pick(5, SUBJECTS));
        event.put("route", "INBOUND");
        event.put("hasAttachments", reason == 1);
        event.put("size", 2000 + s.pick(6, 90000));
        event.put("dateReceived", time(s));
        event.put("policyInfo", reason == 0 ? "Default Spam Policy" : "Dangerous Attachments");
        return event;
    }

    private static String time(EventGenerator.Seed seed) {
        return EventTimes.mimecastFormat(seed.time);
    }

    private static String messageId(EventGenerator.Seed seed) {
        return "<" + seed.hex(24) + "@mail.example.com>";
    }

    static ObjectNode audit(ObjectMapper json, EventGenerator.Seed s) {
        String[] types = { "Logon Authentication Failed", "User Logged On", "Policy Changed",
            "Held Message Released", "Search Performed", "API Application Key Updated", "Message Retrieved" };
        String[] categories = { "authentication_logs", "authentication_logs", "policy_logs", "gateway_logs",
            "archive_logs", "account_logs", "message_logs" };
        int kind = s.pick(2, types.length);
        String user = s.pick(3, USERS);
        ObjectNode event = json.createObjectNode();
        event.put("id", "eNo" + Base64.getUrlEncoder().withoutPadding().encodeToString(
                (s.hex(24) + s.slot).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        event.put("auditType", types[kind]);
        event.put("user", user);
        event.put("eventTime", time(s));
        event.put("eventInfo", types[kind] + " by " + user + ", IP: 203.0.113." + s.pick(5, 250)
                + ", Application: Mimecast Administration Console");
        event.put("category", categories[kind]);
        return event;
    }

    static ObjectNode dlp(ObjectMapper json, EventGenerator.Seed s) {
        ObjectNode event = json.createObjectNode();
        event.put("senderAddress", s.pick(2, USERS));
        event.put("recipientAddress", s.pick(3, EXTERNAL));
        event.put("subject", s.pick(4, SUBJECTS));
        event.put("eventTime", time(s));
        event.put("route", "outbound");
        event.put("policy", s.pick(5, new String[] { "PCI - Card Numbers", "Confidential Label", "GDPR PII" }));
        event.put("action", s.pick(6, new String[] { "hold", "notification", "block" }));
        event.put("messageId", messageId(s));
        return event;
    }

    static ObjectNode ttpUrl(ObjectMapper json, EventGenerator.Seed s) {
        ObjectNode event = json.createObjectNode();
        event.put("userEmailAddress", s.pick(2, USERS));
        event.put("fromUserEmailAddress", s.pick(3, EXTERNAL));
        event.put("url", "https://" + s.pick(4, new String[] { "login-examp1e.net", "docs.example.org",
            "cdn.example.com" }) + "/" + s.hex(8));
        event.put("ttpDefinition", "Default URL Protect Definition");
        event.put("subject", s.pick(5, SUBJECTS));
        event.put("action", s.pick(6, new String[] { "allow", "block", "warn" }));
        event.put("adminOverride", "N/A");
        event.put("userOverride", "None");
        event.put("scanResult", s.pick(7, new String[] { "clean", "malicious", "suspicious" }));
        event.put("category", s.pick(8, new String[] { "Phishing & Fraud", "Business", "Unknown" }));
        event.put("sendingIp", "198.51.100." + s.pick(9, 250));
        event.put("userAwarenessAction", "NA");
        event.put("date", time(s));
        event.put("actions", "Allow");
        event.put("route", "inbound");
        event.put("creationMethod", "User Click");
        event.putArray("emailPartsDescription").add("Body");
        event.put("messageId", messageId(s));
        // tagMap as real clicks carry it: groups of "Key" or "Check:Key" to lists of strings
        ObjectNode tagMap = event.putObject("tagMap");
        if (s.pick(10, 2) == 0) {
            ObjectNode dangerous = tagMap.putObject("DangerousFileExt");
            dangerous.putArray("Status").add("CustomerSpecific").add("VerdictBlock");
            dangerous.putArray("Inspect:FileExts").add("[exe]");
            dangerous.putArray("Inspect:MimeTypes").add("[]");
            dangerous.putArray("ContentCheck:DangerousMimetypesUrlFileDownload").add("application/x-msdownload");
            dangerous.putArray("ContentCheck:ContentScannersBlocked").add(".exe");
            dangerous.putArray("ContentCheck:DangerousExtsUrlFileDownload").add("dll");
        } else {
            ObjectNode reputation = tagMap.putObject("UrlReputationScan");
            reputation.putArray("Status").add("Malicious");
            reputation.putArray("Type").add("Phishing");
            reputation.putArray("Url").add(event.path("url").asText());
            reputation.putArray("UrlBlock").add("true");
            ObjectNode phishing = tagMap.putObject("AdvancedPhishing");
            phishing.putArray("CredentialTheftEvidence").add("login form");
            phishing.putArray("CredentialTheftTags").add("brand-impersonation");
            ObjectNode result = event.putObject("advancedPhishingResult");
            result.putArray("CredentialTheftBrands").add("Example Bank");
            result.putArray("CredentialTheftEvidence").add("login form");
            result.putArray("CredentialTheftTags").add("brand-impersonation");
        }
        return event;
    }

    static ObjectNode ttpAttachment(ObjectMapper json, EventGenerator.Seed s) {
        ObjectNode event = json.createObjectNode();
        event.put("senderAddress", s.pick(2, EXTERNAL));
        event.put("recipientAddress", s.pick(3, USERS));
        event.put("fileName", "invoice_" + s.hex(6) + s.pick(4, new String[] { ".pdf", ".docx", ".xlsm" }));
        event.put("fileType", s.pick(5, new String[] { "application/pdf", "application/vnd.ms-excel" }));
        event.put("result", s.pick(6, new String[] { "safe", "malicious", "timeout" }));
        event.put("actionTriggered", "none, none");
        event.put("date", time(s));
        event.put("details", "Sandbox analysis complete");
        event.put("route", "inbound");
        event.put("messageId", messageId(s));
        event.put("subject", s.pick(7, SUBJECTS));
        event.put("fileHash", s.hex(64));
        event.put("definition", "Default Attachment Protect Definition");
        return event;
    }

    static ObjectNode impersonation(ObjectMapper json, EventGenerator.Seed s) {
        ObjectNode event = json.createObjectNode();
        event.put("id", "MTOKEN:" + s.hex(40));
        event.put("senderAddress", s.pick(2, EXTERNAL));
        event.put("recipientAddress", s.pick(3, USERS));
        event.put("subject", s.pick(4, SUBJECTS));
        event.put("definition", "Default Impersonation Definition");
        event.put("hits", 1 + s.pick(5, 3));
        event.putArray("identifiers").add("similar_internal_domain").add("newly_observed_domain");
        event.put("action", s.pick(6, new String[] { "none", "hold", "bounce" }));
        event.put("taggedExternal", true);
        event.put("taggedMalicious", s.pick(7, 2) == 1);
        event.put("senderIpAddress", "192.0.2." + s.pick(8, 250));
        event.put("eventTime", time(s));
        event.putArray("impersonationResults").addObject().put("impersonationDomainSource", "similar_internal_domain")
                .put("similarDomain", "examp1e.com").put("stringSimilarToDomain", "example.com")
                .put("checkerResult", "hit");
        event.put("messageId", messageId(s));
        return event;
    }

    static ObjectNode archiveSearch(ObjectMapper json, EventGenerator.Seed s) {
        ObjectNode event = json.createObjectNode();
        event.put("createTime", time(s));
        event.put("emailAddr", s.pick(2, USERS));
        event.put("source", s.pick(3, new String[] { "archive", "mobile", "outlook" }));
        event.put("searchText", s.pick(4, new String[] { "invoice", "from:ceo", "contract 2026" }));
        event.put("searchReason", s.pick(5, new String[] { "", "legal hold", "investigation" }));
        event.put("description", "Message search");
        event.put("searchPath", "/");
        return event;
    }

    static ObjectNode heldRelease(ObjectMapper json, EventGenerator.Seed s) {
        ObjectNode event = json.createObjectNode();
        event.put("id", "eNq" + s.hex(32));
        event.put("released", time(s));
        event.put("operator", s.pick(2, new String[] { "soc-admin@example.com", "auto" }));
        event.put("status", s.pick(3, new String[] { "Released", "Rejected" }));
        event.put("heldReason", s.pick(4, new String[] { "Spam", "Policy", "Attachment" }));
        event.put("policy", "Default Spam Policy");
        event.put("route", "inbound");
        event.put("size", 1000 + s.pick(5, 90000));
        event.put("spamScore", s.pick(6, 30));
        event.put("subject", s.pick(7, SUBJECTS));
        event.put("fromEnv", s.pick(8, EXTERNAL));
        event.put("fromHdr", s.pick(8, EXTERNAL));
        event.putArray("to").add(s.pick(9, USERS));
        event.put("attachments", s.pick(10, 2) == 1);
        event.put("detectionLevel", s.pick(11, new String[] { "relaxed", "moderate", "aggressive" }));
        event.put("messageInfo", "Held for review");
        event.put("rejectReason", "");
        event.putObject("spamProcessingDetail").put("verdict", "spam").put("score", s.pick(6, 30));
        return event;
    }
}
