package com.mimecastsentinel.source;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * API 1.0 request signing: HMAC-SHA1 over {@code date:requestId:path:applicationKey} with the base64-decoded
 * secret key, sent as {@code Authorization: MC <accessKey>:<base64 signature>}.
 */
public final class HmacSigner {
    static final DateTimeFormatter MC_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final String appId;
    private final String appKey;
    private final String accessKey;
    private final byte[] secretKey;
    private final Clock clock;
    private final Supplier<String> requestIds;

    public HmacSigner(String appId, String appKey, String accessKey, String base64SecretKey, Clock clock,
            Supplier<String> requestIds) {
        this.appId = appId;
        this.appKey = appKey;
        this.accessKey = accessKey;
        this.secretKey = Base64.getDecoder().decode(base64SecretKey);
        this.clock = clock;
        this.requestIds = requestIds;
    }

    public HmacSigner(String appId, String appKey, String accessKey, String base64SecretKey) {
        this(appId, appKey, accessKey, base64SecretKey, Clock.systemUTC(), () -> UUID.randomUUID().toString());
    }

    /** The four headers for one request, with a fresh date and request id. */
    public Map<String, String> headers(String path) {
        String date = MC_DATE.format(clock.instant());
        String requestId = requestIds.get();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-mc-date", date);
        headers.put("x-mc-req-id", requestId);
        headers.put("x-mc-app-id", appId);
        headers.put("Authorization", "MC " + accessKey + ":" + signature(date, requestId, path));
        return headers;
    }

    String signature(String date, String requestId, String path) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secretKey, "HmacSHA1"));
            byte[] digest = mac.doFinal((date + ":" + requestId + ":" + path + ":" + appKey)
                    .getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available in this JVM", e);
        }
    }
}
