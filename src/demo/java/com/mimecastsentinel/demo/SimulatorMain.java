package com.mimecastsentinel.demo;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's Mimecast simulator on its own, for a connector in another process or container:
 * {@code java -cp mimecast-sentinel.jar com.mimecastsentinel.demo.SimulatorMain}. It accepts the demo
 * credentials only ({@link MimecastSimulator#DEMO_CLIENT_ID} / {@link MimecastSimulator#DEMO_CLIENT_SECRET}) and
 * serves generated events over plain HTTP until it is stopped.
 *
 * <p>Environment: {@code SIMULATOR_HOST} (interface to listen on, default {@code 127.0.0.1}; {@code 0.0.0.0} in a
 * container), {@code SIMULATOR_PORT} (default 8080), {@code SIMULATOR_PUBLIC_URL} (the base URL the connector
 * reaches it at, used in the SIEM file links it hands out; default {@code http://<host>:<port>}) and
 * {@code SIMULATOR_EVENT_INTERVAL} (one event of each log type per interval, ISO-8601, default {@code PT5M}, as
 * the embedded demo).
 */
public final class SimulatorMain {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatorMain.class);

    private SimulatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        MimecastSimulator simulator;
        try {
            simulator = create(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.stop();
            stopped.countDown();
        }, "simulator-shutdown"));
        simulator.start();
        LOG.info("Mimecast simulator listening at {} (client id {}, client secret {}): demo data only",
                simulator.url(), MimecastSimulator.DEMO_CLIENT_ID, MimecastSimulator.DEMO_CLIENT_SECRET);
        stopped.await();
    }

    /** The simulator the environment describes, not started. */
    static MimecastSimulator create(Map<String, String> env) {
        String host = value(env, "SIMULATOR_HOST", "127.0.0.1");
        int port;
        try {
            port = Integer.parseInt(value(env, "SIMULATOR_PORT", "8080"));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SIMULATOR_PORT must be a port number from 1 to 65535");
        }
        URI publicUrl;
        try {
            publicUrl = URI.create(value(env, "SIMULATOR_PUBLIC_URL",
                    "http://" + ("0.0.0.0".equals(host) ? "localhost" : host) + ":" + port));
            if (!"http".equals(publicUrl.getScheme()) || publicUrl.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SIMULATOR_PUBLIC_URL must be an http:// URL");
        }
        Duration interval;
        try {
            interval = Duration.parse(value(env, "SIMULATOR_EVENT_INTERVAL", "PT5M"));
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException();
            }
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw new IllegalArgumentException("SIMULATOR_EVENT_INTERVAL must be a positive ISO-8601 duration");
        }
        return new MimecastSimulator(host, port, publicUrl, interval, null);
    }

    private static String value(Map<String, String> env, String name, String defaultValue) {
        String value = env.get(name);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }
}
