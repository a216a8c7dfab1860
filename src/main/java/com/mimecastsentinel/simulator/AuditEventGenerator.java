package com.mimecastsentinel.simulator;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.transform.EventTimes;

/**
 * Realistic audit events, generated deterministically from time: one event in every slot of {@code interval},
 * at an offset and with content derived from the slot number. The same window always yields the same events
 * (same ids), as the real API does, so re-reading a window is safe to test.
 */
public final class AuditEventGenerator {
    private static final String[] TYPES = { "Logon Authentication Failed", "User Logged On", "Policy Changed",
        "Held Message Released", "Search Performed", "API Application Key Updated", "Message Retrieved" };
    private static final String[] CATEGORIES = { "authentication_logs", "authentication_logs", "policy_logs",
        "gateway_logs", "archive_logs", "account_logs", "message_logs" };
    private static final String[] USERS = { "alice@example.com", "bob@example.com", "soc-admin@example.com",
        "helpdesk@example.com" };

    private final ObjectMapper json;
    private final long intervalSeconds;

    public AuditEventGenerator(ObjectMapper json, Duration interval) {
        this.json = json;
        this.intervalSeconds = interval.getSeconds();
    }

    /** Events with {@code from <= eventTime <= to}, oldest first. */
    public List<ObjectNode> between(Instant from, Instant to) {
        List<ObjectNode> events = new ArrayList<>();
        for (long slot = Math.floorDiv(from.getEpochSecond(), intervalSeconds);
                slot <= Math.floorDiv(to.getEpochSecond(), intervalSeconds); slot++) {
            byte[] digest = digest(slot);
            Instant time = Instant.ofEpochSecond(slot * intervalSeconds + Math.floorMod(digest[0] * 31 + digest[1],
                    (int) intervalSeconds));
            if (!time.isBefore(from) && !time.isAfter(to)) {
                events.add(event(slot, time, digest));
            }
        }
        return events;
    }

    private ObjectNode event(long slot, Instant time, byte[] digest) {
        int kind = Math.floorMod(digest[2], TYPES.length);
        String user = USERS[Math.floorMod(digest[3], USERS.length)];
        ObjectNode event = json.createObjectNode();
        event.put("id", "eNo" + Base64.getUrlEncoder().withoutPadding().encodeToString(
                ByteBuffer.allocate(24).put(digest, 4, 16).putLong(slot).array()));
        event.put("auditType", TYPES[kind]);
        event.put("user", user);
        event.put("eventTime", EventTimes.mimecastFormat(time));
        event.put("eventInfo", TYPES[kind] + " by " + user + ", IP: 203.0.113." + Math.floorMod(digest[5], 250)
                + ", Application: Mimecast Administration Console");
        event.put("category", CATEGORIES[kind]);
        return event;
    }

    private static byte[] digest(long slot) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(ByteBuffer.allocate(8).putLong(slot).array());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
