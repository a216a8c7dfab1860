package com.mimecastsentinel.demo;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Realistic events, generated deterministically from time: one event in every slot of {@code interval}, at an
 * offset and with content derived from the slot number (through {@link Seed}). The same window always yields the
 * same events, as the real API does, so re-reading a window is safe to test.
 */
public final class EventGenerator {

    /** Pseudo-random but stable choices for one slot. */
    public static final class Seed {
        private final byte[] digest;
        public final long slot;
        public final Instant time;

        Seed(long slot, byte[] digest, Instant time) {
            this.slot = slot;
            this.digest = digest;
            this.time = time;
        }

        /** A stable number from 0 (inclusive) to {@code bound}, different for each {@code index}. */
        public int pick(int index, int bound) {
            return Math.floorMod(digest[index % digest.length] * 131 + digest[(index + 7) % digest.length], bound);
        }

        public <T> T pick(int index, T[] choices) {
            return choices[pick(index, choices.length)];
        }

        /** A stable hex string of {@code length} digits (at most 64). */
        public String hex(int length) {
            StringBuilder text = new StringBuilder();
            for (byte b : digest) {
                text.append(String.format("%02x", b));
            }
            return text.substring(0, length);
        }
    }

    /** Builds one record from its slot's seed. */
    public interface RecordFactory {
        ObjectNode create(Seed seed);
    }

    private final long intervalSeconds;
    private final String salt;
    private final RecordFactory factory;

    public EventGenerator(Duration interval, String salt, RecordFactory factory) {
        this.intervalSeconds = interval.getSeconds();
        this.salt = salt;
        this.factory = factory;
    }

    /** Events with {@code from <= time <= to}, oldest first. */
    public List<ObjectNode> between(Instant from, Instant to) {
        List<ObjectNode> events = new ArrayList<>();
        for (long slot = Math.floorDiv(from.getEpochSecond(), intervalSeconds);
                slot <= Math.floorDiv(to.getEpochSecond(), intervalSeconds); slot++) {
            byte[] digest = digest(slot);
            Instant time = Instant.ofEpochSecond(slot * intervalSeconds
                    + Math.floorMod(digest[0] * 31 + digest[1], (int) intervalSeconds));
            if (!time.isBefore(from) && !time.isAfter(to)) {
                events.add(factory.create(new Seed(slot, digest, time)));
            }
        }
        return events;
    }

    private byte[] digest(long slot) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return sha.digest(ByteBuffer.allocate(8).putLong(slot).array());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
