package com.mimecastsentinel.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.junit.jupiter.api.Test;

class HmacSignerTest {
    private static final String SECRET = "c2VjcmV0LWtleS1ieXRlcw=="; // base64 of "secret-key-bytes"
    private static final String REQUEST_ID = "2f8b5e2a-6d3c-4b8e-9a71-0c5d2e4f6a18";

    /*
     * Expected signature computed outside this code base with OpenSSL (and cross-checked with Python's hmac):
     *   DATA='Tue, 24 Nov 2015 12:50:11 UTC:2f8b5e2a-6d3c-4b8e-9a71-0c5d2e4f6a18:/api/audit/get-audit-events:4b9c2e6a-app-key'
     *   printf '%s' "$DATA" | openssl dgst -sha1 -mac HMAC -macopt hexkey:$(printf 'secret-key-bytes' | xxd -p) \
     *     -binary | base64
     *   -> UnRIq8qvQJmAmDVrXilQNTwyVqs=
     */
    @Test
    void signsAsTheMimecastReferenceDescribes() {
        Clock clock = Clock.fixed(Instant.parse("2015-11-24T12:50:11Z"), ZoneOffset.UTC);
        HmacSigner signer = new HmacSigner("app-id-1", "4b9c2e6a-app-key", "access-key-1", SECRET, clock,
                () -> REQUEST_ID);

        Map<String, String> headers = signer.headers("/api/audit/get-audit-events");

        assertEquals("Tue, 24 Nov 2015 12:50:11 UTC", headers.get("x-mc-date"));
        assertEquals(REQUEST_ID, headers.get("x-mc-req-id"));
        assertEquals("app-id-1", headers.get("x-mc-app-id"));
        assertEquals("MC access-key-1:UnRIq8qvQJmAmDVrXilQNTwyVqs=", headers.get("Authorization"));
    }

    /** Keys in files that rotate: the next signature takes the new keys, as a restart would (same known answer). */
    @Test
    void rotatedKeyFilesSignTheNextRequest(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2015-11-24T12:50:11Z"), ZoneOffset.UTC);
        java.nio.file.Path appKey = java.nio.file.Files.writeString(dir.resolve("app-key"), "old-app-key");
        java.nio.file.Path access = java.nio.file.Files.writeString(dir.resolve("access-key"), "old-access");
        java.nio.file.Path secret = java.nio.file.Files.writeString(dir.resolve("secret-key"),
                "b2xkLXNlY3JldA==");
        HmacSigner signer = new HmacSigner("app-id-1", new com.mimecastsentinel.config.SecretFile(appKey, "appKey"),
                new com.mimecastsentinel.config.SecretFile(access, "accessKey"),
                new com.mimecastsentinel.config.SecretFile(secret, "secretKey"), clock, () -> REQUEST_ID);
        String before = signer.headers("/api/audit/get-audit-events").get("Authorization");

        java.nio.file.Files.writeString(appKey, "4b9c2e6a-app-key");
        java.nio.file.Files.writeString(access, "access-key-1");
        java.nio.file.Files.writeString(secret, SECRET);
        for (java.nio.file.Path file : java.util.List.of(appKey, access, secret)) { // as a new mount would be
            java.nio.file.Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(
                    System.currentTimeMillis() + 10_000));
        }

        assertEquals(false, before.equals("MC access-key-1:UnRIq8qvQJmAmDVrXilQNTwyVqs="));
        assertEquals("MC access-key-1:UnRIq8qvQJmAmDVrXilQNTwyVqs=",
                signer.headers("/api/audit/get-audit-events").get("Authorization"), "the rotated keys, no restart");
    }

    @Test
    void aSignatureCoversThePath() {
        Clock clock = Clock.fixed(Instant.parse("2015-11-24T12:50:11Z"), ZoneOffset.UTC);
        HmacSigner signer = new HmacSigner("a", "k", "x", SECRET, clock, () -> REQUEST_ID);
        String audit = signer.headers("/api/audit/get-audit-events").get("Authorization");
        String dlp = signer.headers("/api/dlp/get-logs").get("Authorization");
        assertEquals(false, audit.equals(dlp));
    }
}
