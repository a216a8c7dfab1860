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
    private final Supplier<String> appKey;
    private final Supplier<String> accessKey;
    private final Supplier<String> secretKey;
    private final Clock clock;
    private final Supplier<String> requestIds;
    /** The secret key decoded, for the text it was decoded from: decoded again only when the key changed. */
    private volatile Decoded decoded;

    private record Decoded(String base64, byte[] key) {
    }

    public HmacSigner(String appId, String appKey, String accessKey, String base64SecretKey, Clock clock,
            Supplier<String> requestIds) {
        this(appId, () -> appKey, () -> accessKey, () -> base64SecretKey, clock, requestIds);
    }

    public HmacSigner(String appId, String appKey, String accessKey, String base64SecretKey) {
        this(appId, () -> appKey, () -> accessKey, () -> base64SecretKey, Clock.systemUTC(),
                () -> UUID.randomUUID().toString());
    }

    /**
     * Keys asked at each signature: keys mounted as files that rotate ({@link com.mimecastsentinel.config.SecretFile})
     * are taken as they change, without a restart.
     */
    public HmacSigner(String appId, Supplier<String> appKey, Supplier<String> accessKey,
            Supplier<String> base64SecretKey, Clock clock, Supplier<String> requestIds) {
        this.appId = appId;
        this.appKey = appKey;
        this.accessKey = accessKey;
        this.secretKey = base64SecretKey;
        this.clock = clock;
        this.requestIds = requestIds;
        Base64.getDecoder().decode(base64SecretKey.get()); // a key that is not base64 fails here, not at the first call
    }

    /** The four headers for one request, with a fresh date and request id. */
    public Map<String, String> headers(String path) {
        String date = MC_DATE.format(clock.instant());
        String requestId = requestIds.get();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-mc-date", date);
        headers.put("x-mc-req-id", requestId);
        headers.put("x-mc-app-id", appId);
        headers.put("Authorization", "MC " + accessKey.get() + ":" + signature(date, requestId, path));
        return headers;
    }

    private byte[] key() {
        String base64 = secretKey.get();
        Decoded current = decoded;
        if (current == null || !current.base64().equals(base64)) {
            current = new Decoded(base64, Base64.getDecoder().decode(base64));
            decoded = current;
        }
        return current.key();
    }

    String signature(String date, String requestId, String path) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key(), "HmacSHA1"));
            byte[] digest = mac.doFinal((date + ":" + requestId + ":" + path + ":" + appKey.get())
                    .getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available in this JVM", e);
        }
    }
}
