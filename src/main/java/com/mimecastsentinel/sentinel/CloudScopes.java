package com.mimecastsentinel.sentinel;

import java.util.List;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.mimecastsentinel.config.AzureCloud;
import reactor.core.publisher.Mono;

/**
 * Asks for tokens of the configured cloud's audience: azure-monitor-ingestion 1.1.0 has no audience option and
 * always asks for the public cloud's ({@code https://monitor.azure.com//.default}), which Azure US Government and
 * Azure China refuse.
 */
final class CloudScopes implements TokenCredential {
    private final TokenCredential credential;
    private final AzureCloud cloud;

    CloudScopes(TokenCredential credential, AzureCloud cloud) {
        this.credential = credential;
        this.cloud = cloud;
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return credential.getToken(inCloud(request));
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        return credential.getTokenSync(inCloud(request));
    }

    private TokenRequestContext inCloud(TokenRequestContext request) {
        List<String> scopes = request.getScopes().stream().map(cloud::scope).toList();
        if (scopes.equals(request.getScopes())) {
            return request;
        }
        return new TokenRequestContext().setScopes(scopes).setClaims(request.getClaims())
                .setTenantId(request.getTenantId()).setCaeEnabled(request.isCaeEnabled());
    }
}
