package com.mimecastsentinel.support;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;

/** A WireMock server on HTTPS only (loopback, random port), serving the test certificate the JVM trusts. */
public final class HttpsFake {
    private HttpsFake() {
    }

    public static WireMockServer start(com.github.tomakehurst.wiremock.extension.Extension... extensions) {
        TestTls.ensureKeystore();
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").httpDisabled(true)
                .httpsPort(0).keystorePath(TestTls.KEYSTORE.toString()).keystoreType("PKCS12")
                .keystorePassword(TestTls.PASSWORD).keyManagerPassword(TestTls.PASSWORD).extensions(extensions));
        server.start();
        return server;
    }

    public static String url(WireMockServer server) {
        return "https://localhost:" + server.httpsPort();
    }
}
