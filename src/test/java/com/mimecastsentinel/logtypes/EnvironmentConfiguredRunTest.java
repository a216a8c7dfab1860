package com.mimecastsentinel.logtypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.ConnectorProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector as a user starts it: its own JVM, configured only through the environment variables of docs/configuration.md,
 * RUN_ONCE, against independent fakes of Mimecast and Azure. Two runs deliver every event exactly once.
 */
@ExtendWith(Azurite.class)
class EnvironmentConfiguredRunTest {

    @TempDir
    Path workingDirectory;

    @Test
    void twoRunsConfiguredByEnvironmentDeliverEveryEventOnce() throws Exception {
        try (AuditFakes fakes = new AuditFakes()) {
            fakes.azureFake.acceptUploads();
            ConnectorProcess connector = new ConnectorProcess(workingDirectory);
            assertEquals(0, connector.run(fakes.environment(), "first"));
            assertEquals(0, connector.run(fakes.environment(), "second"));
            fakes.assertEveryEventDeliveredOnce();
            String log = Files.readString(connector.log("first")) + Files.readString(connector.log("second"));
            for (String secret : List.of("it-secret", fakes.azureFake.clientSecret, Azurite.ACCOUNT_KEY, "mc-token", fakes.azureFake.token)) {
                assertFalse(log.contains(secret), "a secret appeared in the log output");
            }
        }
    }
}
