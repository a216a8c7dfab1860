package com.mimecastsentinel.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Ids stay what they were: the first 32 hex digits of the SHA-256 of the key fields' text as UTF-8. */
class EventIdsTest {

    private static String sha256(String text) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    @Test
    void aKeyOfAnyTextHashesAsItsUtf8() throws Exception {
        EventIds.Hasher hasher = new EventIds.Hasher();
        String huge = "x".repeat(40_000);
        for (String[] values : List.of(new String[] { "p1", "1717243200000" }, new String[] { "Grüße ✉", "\uD83D\uDCE7" },
                new String[] { huge, "é" + huge }, new String[] { "again", "short" })) {
            Map<String, Object> record = Map.of("a", values[0], "b", values[1]);
            assertEquals(sha256(values[0] + '\u001f' + values[1]),
                    EventIds.ofValues(record::get, null, List.of("a", "b"), hasher), values[0].length() + " chars");
        }
    }
}
