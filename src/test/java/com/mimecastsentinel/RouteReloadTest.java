package com.mimecastsentinel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mimecastsentinel.support.ConnectorProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ROUTES_RELOAD=true: a route edited in routes/ takes effect in the running connector, without a restart. */
class RouteReloadTest {

    @TempDir
    Path work;

    private String log(ConnectorProcess connector) throws Exception {
        return Files.readString(connector.log("reload")).replaceAll("\u001b\\[[0-9;]*m", "");
    }

    private String awaitLog(ConnectorProcess connector, String text, long afterLength) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            String log = log(connector);
            if (log.length() > afterLength && log.substring((int) afterLength).contains(text)) {
                return log;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("never logged '" + text + "':\n" + log(connector));
    }

    @Test
    void anEditedRouteIsReplacedWhileTheOthersKeepRunning() throws Exception {
        reloads(Map.of(), "audit: run complete");
    }

    /** The routes made per declared account (here the demo's two) are made again from the edited route. */
    @Test
    void theAccountsRoutesAreMadeAgainFromAnEditedRoute() throws Exception {
        reloads(Map.of("DEMO_ACCOUNTS", "2"), "accounts/demo-2/audit: run complete");
    }

    private void reloads(Map<String, String> settings, String runComplete) throws Exception {
        ConnectorProcess connector = new ConnectorProcess(work);
        Map<String, String> env = new java.util.HashMap<>(Map.of("ROUTES_RELOAD", "true", "MIMECAST_LOG_TYPES",
                "audit", "START_DATE", LocalDate.now(ZoneOffset.UTC).toString(), "SCHEDULE", "0/2 * * * * ?",
                "OUTPUT_DIR", work.resolve("out").toString(), "CHECKPOINT_DIR", work.resolve("cp").toString()));
        env.putAll(settings);
        Process process = connector.start(env, "reload");
        try {
            awaitLog(connector, runComplete, 0);
            Path audit = work.resolve("routes/audit.yaml");
            String route = Files.readString(audit);
            String edited = route.replace("""
                        scheduler.cron: "{{env:SCHEDULE_AUDIT:{{schedule}}}}"
                      steps:
                """, """
                        scheduler.cron: "{{env:SCHEDULE_AUDIT:{{schedule}}}}"
                      steps:
                        - log:
                            message: "edited route delivers ${body.size()} records"
                """);
            assertFalse(route.equals(edited), "the edit applies to the current audit.yaml");
            long before = log(connector).length();
            Files.writeString(audit, edited);

            String log = awaitLog(connector, "Routes reloaded", before);
            long reloaded = log.indexOf("Routes reloaded", (int) before);
            log = awaitLog(connector, "edited route delivers", reloaded);
            awaitLog(connector, runComplete, log.indexOf("edited route delivers", (int) reloaded));
            assertFalse(log.contains("ERROR"), log);
            assertTrue(process.isAlive(), "no restart");
        } finally {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }
}
