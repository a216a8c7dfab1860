package com.mimecastsentinel.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The simulator on its own (the compose demo's simulator service): settings from the environment. */
class SimulatorMainTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void servesTheDemoCredentialsAndLinksFilesAtItsPublicUrl() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        MimecastSimulator simulator = SimulatorMain.create(Map.of("SIMULATOR_HOST", "127.0.0.1",
                "SIMULATOR_PORT", String.valueOf(port), "SIMULATOR_PUBLIC_URL", "http://simulator:" + port + "/"));
        simulator.start();
        try {
            assertEquals("http://simulator:" + port, simulator.url().toString());
            String local = "http://127.0.0.1:" + port;
            HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(local + "/oauth/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id="
                            + MimecastSimulator.DEMO_CLIENT_ID + "&client_secret="
                            + MimecastSimulator.DEMO_CLIENT_SECRET)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, token.statusCode(), token.body());
            String bearer = json.readTree(token.body()).path("access_token").asText();

            String day = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
            HttpResponse<String> listing = http.send(HttpRequest.newBuilder(URI.create(local
                    + "/siem/v1/batch/events/cg?type=receipt&dateRangeStartsAt=" + day + "&pageSize=2"))
                    .header("Authorization", "Bearer " + bearer).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, listing.statusCode(), listing.body());
            JsonNode files = json.readTree(listing.body()).path("value");
            assertEquals(2, files.size());
            files.forEach(file -> assertTrue(file.path("url").asText().startsWith("http://simulator:" + port
                    + "/siem-files/"), "file links point where the connector reaches the simulator: " + file));
        } finally {
            simulator.stop();
        }
    }

    @Test
    void defaultsAndBadSettings() {
        assertEquals("http://127.0.0.1:8080", SimulatorMain.create(Map.of()).url().toString());
        assertEquals("http://localhost:9000",
                SimulatorMain.create(Map.of("SIMULATOR_HOST", "0.0.0.0", "SIMULATOR_PORT", "9000")).url().toString());
        for (Map<String, String> bad : java.util.List.of(Map.of("SIMULATOR_PORT", "http"),
                Map.of("SIMULATOR_PORT", "70000"), Map.of("SIMULATOR_PUBLIC_URL", "https://simulator:8080"),
                Map.of("SIMULATOR_EVENT_INTERVAL", "five minutes"), Map.of("SIMULATOR_EVENT_INTERVAL", "PT0S"))) {
            assertThrows(IllegalArgumentException.class, () -> SimulatorMain.create(bad), bad.toString());
        }
    }
}
