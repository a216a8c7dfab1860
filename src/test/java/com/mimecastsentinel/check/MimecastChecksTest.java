package com.mimecastsentinel.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.source.MimecastFailure;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

/** The words the check finds for Mimecast's answers, and the settings it judges before any call. */
class MimecastChecksTest {

    private static Settings settings(String... keyValues) {
        Map<String, String> values = new HashMap<>(Map.of("sink", "file", "checkpoint.store", "file"));
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return new Settings(key -> Optional.ofNullable(values.get(key)), name -> null);
    }

    private static Settings api1(String baseUrl) {
        return settings("mimecast.app-id", "app", "mimecast.app-key", "key", "mimecast.access-key", "access",
                "mimecast.secret-key", "c2VjcmV0", "mimecast.base-url", baseUrl);
    }

    private static Settings api2(String baseUrl) {
        return settings("mimecast.client-id", "client", "mimecast.client-secret", "secret", "mimecast.base-url",
                baseUrl);
    }

    private static HttpOperationFailedException answer(int status, String body) {
        return new HttpOperationFailedException("https://eu-api.mimecast.com/api/audit/get-audit-events", status,
                "refused", null, Map.of("Date", "Mon, 07 Dec 2026 08:00:00 GMT"), body);
    }

    @Test
    void credentialsOfOneGenerationOnTheOthersHostFail() {
        CheckResult api2OnRegional = MimecastChecks.generation(api2("https://eu-api.mimecast.com"));
        assertEquals(CheckResult.Outcome.FAIL, api2OnRegional.result());
        assertTrue(api2OnRegional.fix().contains("MIMECAST_BASE_URL to https://api.services.mimecast.com"),
                api2OnRegional.fix());
        CheckResult api1OnGlobal = MimecastChecks.generation(api1("https://api.services.mimecast.com"));
        assertEquals(CheckResult.Outcome.FAIL, api1OnGlobal.result());
        assertTrue(api1OnGlobal.fix().contains("regional API 1.0 host"), api1OnGlobal.fix());
        assertEquals(CheckResult.Outcome.PASS, MimecastChecks.generation(api1("https://de-api.mimecast.com")).result());
        assertEquals(CheckResult.Outcome.PASS, MimecastChecks.generation(api2("https://us-api.services.mimecast.com"))
                .result());
    }

    @Test
    void anExpiredBindingARegionAndABadSignatureAreToldApart() {
        Settings settings = api1("https://eu-api.mimecast.com");
        CheckResult binding = MimecastChecks.explain("mimecast audit", answer(418, ""), null, "/api/audit/get-audit-events", null,
                settings);
        assertTrue(binding.detail().contains("binding expired") && binding.fix().contains("MIMECAST_ACCESS_KEY"),
                binding.toString());

        CheckResult region = MimecastChecks.explain("mimecast audit", answer(401, """
                {"fail":[{"errors":[{"code":"err_audit_log_incorrect_region","message":"the account is hosted at \
                https://us-api.mimecast.com","retryable":false}]}]}"""), null, "/api/audit/get-audit-events", null, settings);
        assertTrue(region.detail().contains("another region"), region.toString());
        assertEquals("set MIMECAST_BASE_URL to https://us-api.mimecast.com", region.fix());

        CheckResult signature = MimecastChecks.explain("mimecast audit", answer(401, """
                {"fail":[{"errors":[{"code":"err_xdk_invalid_signature","message":"invalid signature"}]}]}"""), null,
                "/api/audit/get-audit-events", null, settings);
        assertTrue(signature.detail().contains("err_xdk_invalid_signature"), signature.toString());
        assertTrue(signature.fix().contains("MIMECAST_SECRET_KEY") && signature.fix().contains("clock"),
                signature.fix());
    }

    /** A declared account's fix names its entry in MIMECAST_ACCOUNTS_FILE and its base URL, not MIMECAST_*. */
    @Test
    void aDeclaredAccountsFixNamesItsEntry() {
        Settings settings = api2("https://api.services.mimecast.com");
        com.mimecastsentinel.source.MimecastAccount fabrikam = new com.mimecastsentinel.source.MimecastAccount(
                "fabrikam", "https://de-api.mimecast.com", com.mimecastsentinel.source.MimecastAuth.hmac(
                        new com.mimecastsentinel.source.HmacSigner("app", "key", "access",
                                java.util.Base64.getEncoder().encodeToString(new byte[16]))),
                com.mimecastsentinel.sentinel.Target.SETTINGS, null, java.util.Set.of());
        CheckResult notFound = MimecastChecks.explain("mimecast accounts/fabrikam/audit", answer(404, ""), null,
                "/api/audit/get-audit-events", fabrikam, settings);
        assertTrue(notFound.detail().contains("https://de-api.mimecast.com"), notFound.detail());
        assertTrue(notFound.fix().startsWith("the baseUrl (or region) of account 'fabrikam' in MIMECAST_ACCOUNTS_FILE"),
                notFound.fix());
        CheckResult signature = MimecastChecks.explain("mimecast accounts/fabrikam/audit", answer(401, ""), null,
                "/api/audit/get-audit-events", fabrikam, settings);
        assertTrue(signature.fix().contains("the appId and key files of account 'fabrikam'"), signature.fix());
        assertFalse(signature.fix().contains("MIMECAST_APP") || notFound.fix().contains("MIMECAST_BASE_URL"),
                "not the MIMECAST_* settings: " + signature.fix());
    }

    @Test
    void aRateLimitIsAWarningAndAFailureInsideA200IsExplained() {
        Settings settings = api2("https://api.services.mimecast.com");
        assertEquals(CheckResult.Outcome.WARN, MimecastChecks.explain("mimecast dlp", answer(429, ""), null,
                "/api/dlp/get-logs", null, settings).result());
        CheckResult inside = MimecastChecks.explain("mimecast dlp", new MimecastFailure("Mimecast /api/dlp/get-logs "
                + "reported failure: err_validation: bad filter", 200, java.util.List.of("err_validation")), null,
                "/api/dlp/get-logs", null, settings);
        assertEquals(CheckResult.Outcome.FAIL, inside.result());
        assertTrue(inside.detail().contains("err_validation"), inside.detail());
    }

    @Test
    void aClockAheadByMoreThanTheOverlapFailsAndAFewMinutesWarn() {
        Settings settings = api2("https://api.services.mimecast.com");
        Instant mimecast = Instant.parse("2026-12-07T08:00:00Z");
        assertEquals(CheckResult.Outcome.PASS, MimecastChecks.clock(mimecast, mimecast.plusSeconds(30), settings)
                .result());
        assertEquals(CheckResult.Outcome.WARN, MimecastChecks.clock(mimecast, mimecast.minus(Duration.ofMinutes(30)),
                settings).result(), "behind: late, not lost");
        assertEquals(CheckResult.Outcome.FAIL, MimecastChecks.clock(mimecast, mimecast.plus(Duration.ofMinutes(16)),
                settings).result());
        assertEquals(mimecast, MimecastChecks.date(MimecastChecks.date(answer(401, ""))));
    }

    @Test
    void aProxyThatRefusesAndATrustStoreThatHoldsNothingFail() throws Exception {
        try (java.net.ServerSocket listening = new java.net.ServerSocket(0)) {
            int closed;
            try (java.net.ServerSocket gone = new java.net.ServerSocket(0)) {
                closed = gone.getLocalPort();
            }
            var up = LocalChecks.proxy(key -> Optional.ofNullable(Map.of("camel.component.https.proxy-host",
                    "127.0.0.1", "camel.component.https.proxy-port", String.valueOf(listening.getLocalPort()))
                    .get(key)));
            assertEquals(CheckResult.Outcome.PASS, up.get(0).result(), up.toString());
            var down = LocalChecks.proxy(key -> Optional.ofNullable(Map.of("camel.component.https.proxy-host",
                    "127.0.0.1", "camel.component.https.proxy-port", String.valueOf(closed)).get(key)));
            assertEquals(CheckResult.Outcome.FAIL, down.get(0).result(), down.toString());
        }
        java.nio.file.Path empty = java.nio.file.Files.createTempFile("empty", ".p12");
        try {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(null, null);
            try (var out = java.nio.file.Files.newOutputStream(empty)) {
                store.store(out, "changeit".toCharArray());
            }
            CheckResult nothing = LocalChecks.trustStore(empty.toString(), "PKCS12", "changeit");
            assertEquals(CheckResult.Outcome.FAIL, nothing.result());
            assertTrue(nothing.detail().contains("holds no trusted certificate"), nothing.detail());
            CheckResult wrongPassword = LocalChecks.trustStore(empty.toString(), "PKCS12", "wrong");
            assertEquals(CheckResult.Outcome.FAIL, wrongPassword.result());
            assertTrue(wrongPassword.detail().contains("cannot be loaded"), wrongPassword.detail());
        } finally {
            java.nio.file.Files.delete(empty);
        }
    }

    @Test
    void whatAnAnswerSaysCannotForgeALineOrFillTheReport() {
        CheckResult result = CheckResult.fail("mimecast audit", "refused: \n" + "PASS   mimecast dlp forged\u001b[2J"
                + "x".repeat(5000), null);
        assertFalse(result.detail().contains("\n") || result.detail().contains("\u001b"), result.detail());
        assertTrue(result.detail().length() <= CheckResult.MAX_DETAIL + 1);
    }

    @Test
    void aTypoIsMatchedToTheVariableItMeant() {
        var known = LocalChecks.knownVariables(java.util.List.of("a = {{env:MIMECAST_LOG_TYPES:}}",
                "b = {{env:MIMECAST_CLIENT_SECRET:}}"));
        assertTrue(known.contains("MIMECAST_CLIENT_SECRET_FILE"), "a secret's _FILE form is known");
        var results = LocalChecks.unknownVariables(Map.of("MIMECAST_LOG_TYPE", "audit", "MIMECAST_CLIENT_SECRET_FILE",
                "/run/secret", "PATH", "/bin", "SENTINEL_NOTHING_LIKE_IT", "x"), known);
        assertEquals(2, results.size(), results.toString());
        assertTrue(results.get(0).fix().contains("rename it MIMECAST_LOG_TYPES"), results.toString());
        assertTrue(results.get(1).fix().startsWith("remove it"), results.toString());
    }
}
