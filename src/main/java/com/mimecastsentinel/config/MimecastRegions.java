package com.mimecastsentinel.config;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where Mimecast's two API generations answer: API 2.0 at {@value Settings#DEFAULT_MIMECAST_URL} (or a region's
 * {@code https://<region>-api.services.mimecast.com}), API 1.0 at a region's {@code https://<region>-api.mimecast.com}.
 * Read by the accounts file (its {@code region}) and by the check (a base URL of the other generation).
 */
public final class MimecastRegions {
    /** API 1.0's regions (https://&lt;region&gt;-api.mimecast.com). */
    public static final List<String> API1 = List.of("us", "eu", "de", "ca", "za", "au", "jer");
    /** API 2.0's: the global gateway and the pinned regional ones. */
    public static final List<String> API2 = List.of("global", "uk", "us");
    private static final Pattern API1_HOST = Pattern.compile("[a-z]{2,3}-api\\.mimecast\\.com");
    private static final Pattern API2_HOST = Pattern.compile("([a-z]{2}-)?api\\.services\\.mimecast\\.com");

    private MimecastRegions() {
    }

    /** The base URL of {@code region} for the generation, or null when it has no such region. */
    public static URI url(String region, boolean api2) {
        String r = region.toLowerCase(Locale.ROOT);
        if (api2 && API2.contains(r)) {
            return URI.create(r.equals("global") ? Settings.DEFAULT_MIMECAST_URL
                    : "https://" + r + "-api.services.mimecast.com");
        }
        return !api2 && API1.contains(r) ? URI.create("https://" + r + "-api.mimecast.com") : null;
    }

    public static boolean isApi1Host(String host) {
        return API1_HOST.matcher(host.toLowerCase(Locale.ROOT)).matches();
    }

    public static boolean isApi2Host(String host) {
        return API2_HOST.matcher(host.toLowerCase(Locale.ROOT)).matches();
    }
}
