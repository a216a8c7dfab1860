package com.mimecastsentinel.sentinel;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import com.azure.core.credential.TokenRequestContext;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.support.AzureFake;
import com.mimecastsentinel.support.Settings4Tests;
import org.junit.jupiter.api.Test;

/**
 * In a sovereign cloud the connector's credential asks Entra for that cloud's audiences: the Logs Ingestion
 * client (which only knows the public cloud's) gets a token for {@code monitor.azure.us}, the rest as asked.
 */
class CloudScopesTest {

    @Test
    void tokensAreAskedForTheConfiguredCloudsAudience() {
        try (AzureFake azure = new AzureFake()) {
            assertEquals(List.of("https://monitor.azure.com//.default", "https://management.azure.com/.default"),
                    scopesAsked(azure, Map.of()), "the public cloud: as the clients ask");
            azure.server.resetRequests();
            assertEquals(List.of("https://monitor.azure.us//.default", "https://management.azure.com/.default"),
                    scopesAsked(azure, Map.of("AZURE_CLOUD", "AzureUSGovernment")));
        }
    }

    /** The scopes the credential's token requests carried, for a Logs Ingestion and an ARM token. */
    private static List<String> scopesAsked(AzureFake azure, Map<String, String> extra) {
        Map<String, String> environment = new java.util.HashMap<>(azure.environment());
        environment.putAll(extra);
        Properties properties = Settings4Tests.properties(environment);
        Settings settings = new Settings(key -> Optional.ofNullable(properties.getProperty(key)), name -> null);
        AzureClients clients = new AzureClients(settings);
        clients.credential().getTokenSync(new TokenRequestContext().addScopes("https://monitor.azure.com//.default"));
        clients.credential().getTokenSync(new TokenRequestContext().addScopes("https://management.azure.com/.default"));
        List<String> scopes = new ArrayList<>();
        azure.server.findAll(postRequestedFor(urlPathMatching(".*/oauth2/v2.0/token"))).forEach(request -> {
            for (String pair : request.getBodyAsString().split("&")) {
                if (pair.startsWith("scope=")) {
                    // MSAL adds its own OpenID scopes to the one asked for
                    for (String scope : URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8).split(" ")) {
                        if (!List.of("openid", "profile", "offline_access").contains(scope)) {
                            scopes.add(scope);
                        }
                    }
                }
            }
        });
        return scopes;
    }
}
