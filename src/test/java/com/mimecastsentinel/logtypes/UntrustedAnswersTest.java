package com.mimecastsentinel.logtypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.mimecastsentinel.demo.MimecastSimulator;
import com.mimecastsentinel.support.Azurite;
import com.mimecastsentinel.support.HttpsFake;
import com.mimecastsentinel.support.SimulatedAccount;
import com.mimecastsentinel.transform.EventIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nothing Mimecast sends is read as a Camel expression: every token the simulator hands out (page tokens, the SIEM
 * listing's {@code @nextPage}, the threat feeds' next-token header, API 1.0's {@code mc-siem-token}) starts with
 * {@code {{env:HOME}}}, and the simulator refuses (400) a token that comes back changed. Runs of every kind of
 * source complete with every event once, and the tokens are stored as they came.
 */
@ExtendWith(Azurite.class)
class UntrustedAnswersTest {
    private static final String PLACEHOLDER = "{{env:HOME}}";

    @Test
    void tokensThatLookLikePlaceholdersTravelAsData() throws Exception {
        try (SimulatedAccount account = new SimulatedAccount(Duration.ofMinutes(5))) {
            account.azure.acceptUploads();
            account.azure.acceptStixUploads();
            account.simulator.prefixTokens(PLACEHOLDER);
            Map<String, String> env = new HashMap<>();
            env.put("MIMECAST_PAGE_SIZE", "25"); // several pages of each: tokens go back and forth
            env.put("SENTINEL_WORKSPACE_ID", "11111111-2222-3333-4444-555555555555");
            env.put("SENTINEL_TI_ENDPOINT", HttpsFake.url(account.azure.server));
            assertEquals(0, account.runOnce("audit,siem,threat-intel,awareness-user-data", env));

            Set<String> audit = account.simulator.events("/api/audit/get-audit-events").between(
                    account.start.atStartOfDay(ZoneOffset.UTC).toInstant(),
                    Instant.parse(account.checkpoint("audit").path("completedUntil").asText()))
                    .stream().map(e -> e.path("id").asText()).collect(Collectors.toSet());
            assertTrue(account.azure.deliveredIds("Custom-Audit").keySet().containsAll(audit), "every audit event");
            String nextPage = account.checkpoint("siem").path("nextPage").asText();
            assertTrue(nextPage.startsWith(PLACEHOLDER), "stored as it came: " + nextPage);
            long hour = Long.parseLong(new String(Base64.getUrlDecoder().decode(nextPage.substring(
                    PLACEHOLDER.length())), StandardCharsets.UTF_8).substring("hour:".length()));
            Set<String> siem = account.simulator.events("/siem/v1/batch/events/cg").between(
                    account.start.atStartOfDay(ZoneOffset.UTC).toInstant(), Instant.ofEpochSecond(hour * 3600 - 1))
                    .stream().map(e -> EventIds.of(e, null, List.of("processingId", "aggregateId", "type",
                            "subtype", "timestamp", "action", "messageId", "accountId")))
                    .collect(Collectors.toSet());
            assertTrue(account.azure.deliveredIds("Custom-Seg_Cg").keySet().containsAll(siem), "every SIEM event");
            for (String stream : List.of("Custom-Audit", "Custom-Seg_Cg", "Custom-Awareness_User_Data")) {
                assertTrue(account.azure.deliveredIds(stream).values().stream().allMatch(n -> n == 1), stream);
            }
            assertTrue(new HashSet<>(account.azure.deliveredIds("Custom-Awareness_User_Data").keySet()).size() > 25,
                    "more than one page of Awareness Training user data");

            // API 1.0: the mc-siem-token header goes back in a JSON body
            env.putAll(Map.of("MIMECAST_CLIENT_ID", "", "MIMECAST_CLIENT_SECRET", "",
                    "MIMECAST_APP_ID", MimecastSimulator.DEMO_APP_ID, "MIMECAST_APP_KEY", MimecastSimulator.DEMO_APP_KEY,
                    "MIMECAST_ACCESS_KEY", MimecastSimulator.DEMO_ACCESS_KEY,
                    "MIMECAST_SECRET_KEY", MimecastSimulator.DEMO_SECRET_KEY));
            assertEquals(0, account.runOnce("siem-legacy", env));
            assertTrue(account.checkpoint("siem-legacy").path("nextPage").asText().startsWith(PLACEHOLDER));
        }
    }
}
