package com.mimecastsentinel;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The container's health check, without curl in the image: {@code java -cp <jar> com.mimecastsentinel.HealthProbe
 * [url]} exits 0 when the management server answers its liveness path ({@code /observe/health/live} on
 * MANAGEMENT_HOST and MANAGEMENT_PORT, loopback for a wildcard host) with 200, or with 401 (credentials are
 * required there: the process answered, so it lives); 1 otherwise. With {@code --any} any HTTP answer counts (the
 * demo simulator, which has no health path).
 */
public final class HealthProbe {

    private HealthProbe() {
    }

    public static void main(String[] args) {
        boolean any = args.length > 0 && args[0].equals("--any");
        String url = args.length > (any ? 1 : 0) ? args[any ? 1 : 0] : defaultUrl();
        try {
            HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(4)).build(),
                            HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            System.exit(any || status == 200 || status == 401 ? 0 : 1);
        } catch (Exception e) {
            System.err.println("health probe: " + url + ": " + e);
            System.exit(1);
        }
    }

    private static String defaultUrl() {
        String host = System.getenv().getOrDefault("MANAGEMENT_HOST", "127.0.0.1").trim();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        String port = System.getenv().getOrDefault("MANAGEMENT_PORT", "9876").trim();
        return "http://" + host + ":" + port + "/observe/health/live";
    }
}
