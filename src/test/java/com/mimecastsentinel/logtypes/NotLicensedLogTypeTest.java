package com.mimecastsentinel.logtypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.Map;

import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.SimulatedAccount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A log type the account is not licensed for is a warning, not a failure, and the other log types go on. */
@ExtendWith(Azurite.class)
class NotLicensedLogTypeTest {

    @Test
    void aRefusedLogTypeDoesNotStopTheOthers() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(30))) {
            account.azure.acceptUploads();
            account.simulator.notLicensed("/api/dlp/get-logs");

            assertEquals(0, account.runOnce("dlp,audit", Map.of()), "RUN_ONCE still succeeds");
            assertFalse(account.azure.deliveredIds("Custom-Audit").isEmpty(), "audit delivered");
            assertEquals(0, account.azure.uploads("Custom-Seg_Dlp").size());
        }
    }
}
