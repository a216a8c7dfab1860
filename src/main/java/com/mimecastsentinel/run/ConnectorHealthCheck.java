package com.mimecastsentinel.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.mimecastsentinel.logging.Secrets;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness ({@code /observe/health/ready}): Mimecast authentication, the checkpoint store and the Azure
 * credential each work, and every log type makes progress; while some accounts' log types stall and another
 * account's make progress, the connector stays ready and says so (degraded: {@link Degraded}). The result of a probe that calls a service is kept for a
 * minute, so probes do not hammer the services.
 */
public final class ConnectorHealthCheck extends AbstractHealthCheck {
    static final Duration KEEP = Duration.ofMinutes(1);

    /** One dependency's check: throws when it is broken ({@link Degraded} when only a part of it is). */
    public interface Probe {
        void check() throws Exception;
    }

    /**
     * A part is broken but the rest works (one account of several failing): said in the details, and the
     * connector stays ready, for restarting or removing it would stop the accounts that work.
     */
    public static final class Degraded extends Exception {
        public Degraded(String message) {
            super(message);
        }
    }

    private record Outcome(Instant at, String error, boolean down) {
    }

    private final Map<String, Probe> probes;
    private final java.util.Set<String> uncached;
    private final Clock clock;
    private final Map<String, Outcome> last = new ConcurrentHashMap<>();

    /** @param uncached the probes that call nothing outside this process: checked each time, not kept */
    public ConnectorHealthCheck(Map<String, Probe> probes, java.util.Set<String> uncached, Clock clock) {
        super("mimecast-sentinel", "connector");
        this.probes = new LinkedHashMap<>(probes);
        this.uncached = java.util.Set.copyOf(uncached);
        this.clock = clock;
    }

    @Override
    public boolean isLiveness() {
        return false; // a broken dependency makes us not ready, not dead: restarting would not mend it
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.up();
        probes.forEach((name, probe) -> {
            Outcome outcome = last.get(name);
            if (outcome == null || uncached.contains(name) || outcome.at().plus(KEEP).isBefore(clock.instant())) {
                String error = null;
                boolean down = false;
                try {
                    probe.check();
                } catch (Degraded e) {
                    error = Secrets.mask(e.getMessage());
                } catch (Exception e) {
                    error = Secrets.mask(e.getClass().getSimpleName() + ": " + e.getMessage());
                    down = true;
                }
                outcome = new Outcome(clock.instant(), error, down);
                last.put(name, outcome);
            }
            builder.detail(name, outcome.error() == null ? "UP" : (outcome.down() ? "DOWN: " : "DEGRADED: ")
                    + outcome.error());
            if (outcome.down()) {
                builder.down().message(name + " is not working: " + outcome.error());
            } else if (outcome.error() != null && builder.state() != HealthCheck.State.DOWN) {
                builder.message(name + " is degraded: " + outcome.error()); // the health endpoint shows it while UP
            }
        });
    }
}
