package com.mimecastsentinel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class HostsTest {

    @Test
    void loopbackIsLocalhostOrALoopbackLiteralOnly() {
        for (String host : List.of("localhost", "LOCALHOST", "a.localhost", "127.0.0.1", "127.9.8.7", "::1", "[::1]",
                "::ffff:127.0.0.1")) {
            assertTrue(Hosts.isLoopback(host), host);
        }
        for (String host : List.of("127.evil.example", "127.0.0.1.nip.io", "localhost.example.com", "10.0.0.1")) {
            assertFalse(Hosts.isLoopback(host), host);
        }
    }

    @Test
    void addressesThatAreNotPublic() {
        for (String host : List.of("10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "fd00::1", "fe80::1", "[fe80::1]", "::")) {
            assertEquals(Hosts.Kind.NOT_PUBLIC, Hosts.classify(host), host);
        }
        for (String host : List.of("8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888")) {
            assertEquals(Hosts.Kind.PUBLIC_IP, Hosts.classify(host), host);
        }
    }

    @Test
    void numbersThatResolversReadAsAddressesAreRefused() {
        for (String host : List.of("2130706433", "127.1", "0x7f.0.0.1", "0177.0.0.1", "017700000001", "1.2.3",
                "example.123", "256.1.1.1", "", "a..b", "-a.example", "fe80::1%eth0", "bad_host!")) {
            assertEquals(Hosts.Kind.INVALID, Hosts.classify(host), host);
        }
    }

    @Test
    void namesOfALocalNetworkOnly() {
        for (String host : List.of("simulator", "kubernetes.default.svc", "api.default.svc.cluster.local",
                "metadata.google.internal", "printer.local", "nas.home.arpa")) {
            assertEquals(Hosts.Kind.LOCAL_NAME, Hosts.classify(host), host);
        }
        for (String host : List.of("64:ff9b::a00:1", "::10.0.0.1", "2002:a00:1::1", "2001:0:4136:e378::1")) {
            assertEquals(Hosts.Kind.NOT_PUBLIC, Hosts.classify(host), "an IPv4 address inside: " + host);
        }
    }

    @Test
    void dnsNames() {
        for (String host : List.of("example.com", "mimecast-siem.s3.eu-west-1.amazonaws.com", "x1.example.",
                "my_bucket.example.net", "1e100.net")) {
            assertEquals(Hosts.Kind.DNS_NAME, Hosts.classify(host), host);
        }
    }
}
