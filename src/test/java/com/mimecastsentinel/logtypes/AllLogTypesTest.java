package com.mimecastsentinel.logtypes;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.mimecastsentinel.demo.MimecastSimulator;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.HttpsFake;
import com.mimecastsentinel.support.SimulatedAccount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every log type at once, as a default installation runs them (MIMECAST_LOG_TYPES empty): with API 2.0
 * credentials all but the API 1.0 SIEM run; with API 1.0 credentials the 2.0-only batch types are passed over.
 */
@ExtendWith(Azurite.class)
class AllLogTypesTest {
    private static final List<String> API2_STREAMS = List.of("Custom-Audit", "Custom-Seg_Dlp", "Custom-Ttp_Url",
            "Custom-Ttp_Attachment", "Custom-Ttp_Impersonation", "Custom-Archive_Search", "Custom-Held_Release",
            "Custom-Seg_Cg", "Custom-Cloud_Integrated");

    private static Map<String, String> common(SimulatedAccount account) {
        Map<String, String> env = new HashMap<>();
        env.put("MIMECAST_LOG_TYPES", "");
        env.put("SENTINEL_WORKSPACE_ID", "11111111-2222-3333-4444-555555555555");
        env.put("SENTINEL_TI_ENDPOINT", HttpsFake.url(account.azure.server));
        return env;
    }

    @Test
    void api2CredentialsRunEveryLogTypeButTheApi1Siem() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(20))) {
            account.azure.acceptUploads();
            account.azure.acceptStixUploads();

            assertEquals(0, account.runOnce("", common(account)));
            for (String stream : API2_STREAMS) {
                assertFalse(account.azure.deliveredIds(stream).isEmpty(), stream + " delivered");
            }
            assertFalse(account.azure.server.findAll(postRequestedFor(urlPathMatching("/workspaces/.*"))).isEmpty(),
                    "threat indicators uploaded");
            assertTrue(account.checkpoint("siem").has("nextPage"));
        }
    }

    @Test
    void api1CredentialsPassOverTheBatchTypes() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(20))) {
            account.azure.acceptUploads();
            account.azure.acceptStixUploads();
            Map<String, String> env = common(account);
            env.putAll(Map.of("MIMECAST_CLIENT_ID", "", "MIMECAST_CLIENT_SECRET", "",
                    "MIMECAST_APP_ID", MimecastSimulator.DEMO_APP_ID, "MIMECAST_APP_KEY", MimecastSimulator.DEMO_APP_KEY,
                    "MIMECAST_ACCESS_KEY", MimecastSimulator.DEMO_ACCESS_KEY,
                    "MIMECAST_SECRET_KEY", MimecastSimulator.DEMO_SECRET_KEY));

            assertEquals(0, account.runOnce("", env));
            assertTrue(account.azure.deliveredIds("Custom-Cloud_Integrated").isEmpty(), "2.0-only type passed over");
            assertFalse(account.azure.deliveredIds("Custom-Seg_Cg").isEmpty(), "SIEM through API 1.0");

            // naming a 2.0-only type with 1.0 credentials is a clear failure
            env.put("MIMECAST_LOG_TYPES", "siem");
            assertEquals(1, account.runOnce("siem", env));
        }
    }
}
