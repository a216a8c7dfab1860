package com.mimecastsentinel.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a host of a URL is, judged from its text alone (no DNS lookup): a public DNS name, a name of a local network
 * only (one label, or {@code .internal}, {@code .svc}, {@code .local} …), a public IP literal, loopback
 * ({@code localhost} or a loopback literal), or another address that is not public (private, link-local, unique
 * local, carrier-grade NAT, unspecified, multicast, broadcast, IPv6 forms that carry an IPv4 address). Numeric forms that are not a canonical dotted quad
 * ({@code 2130706433}, {@code 127.1}, {@code 0x7f.0.0.1}) are refused: resolvers read them as addresses.
 */
public final class Hosts {

    public enum Kind { DNS_NAME, LOCAL_NAME, PUBLIC_IP, LOOPBACK, NOT_PUBLIC, INVALID }

    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern QUAD = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    /** A host that reads as a number to some resolver: digits, dots, hex. */
    private static final Pattern NUMERIC = Pattern.compile("(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]*))*\\.?");

    private Hosts() {
    }

    public static Kind classify(String host) {
        if (host == null || host.isEmpty() || host.length() > 253) {
            return Kind.INVALID;
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") || name.contains(":")) {
            return ipv6(name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name);
        }
        String bare = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (NUMERIC.matcher(name).matches() || lastLabelNumeric(bare)) {
            return QUAD.matcher(bare).matches() ? ip(bare) : Kind.INVALID;
        }
        for (String label : bare.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return Kind.INVALID;
            }
        }
        if (bare.equals("localhost") || bare.endsWith(".localhost")) {
            return Kind.LOOPBACK;
        }
        // a name of a local network only: one label (a container's or a search domain's), or a suffix the public
        // DNS does not serve
        boolean local = !bare.contains(".") || LOCAL_SUFFIXES.stream().anyMatch(suffix -> bare.endsWith("." + suffix));
        return local ? Kind.LOCAL_NAME : Kind.DNS_NAME;
    }

    private static final java.util.List<String> LOCAL_SUFFIXES = java.util.List.of("local", "localdomain", "internal",
            "intranet", "lan", "home", "corp", "private", "home.arpa", "svc", "cluster.local");

    /** {@code localhost} or a loopback IP literal; a DNS name that merely starts with {@code 127.} is not. */
    public static boolean isLoopback(String host) {
        return classify(host) == Kind.LOOPBACK;
    }

    private static boolean lastLabelNumeric(String name) {
        int dot = name.lastIndexOf('.');
        String last = name.substring(dot + 1);
        return !last.isEmpty() && (last.chars().allMatch(Character::isDigit) || last.startsWith("0x"));
    }

    private static Kind ipv6(String literal) {
        if (!literal.matches("[0-9a-f:.]+")) {
            return Kind.INVALID; // a zone id (%eth0) or anything else
        }
        return ip(literal);
    }

    /** A literal the checks above let through: parsed without a lookup, then judged. */
    private static Kind ip(String literal) {
        InetAddress address;
        try {
            address = InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            return Kind.INVALID;
        }
        if (address.isLoopbackAddress()) {
            return Kind.LOOPBACK;
        }
        byte[] bytes = address.getAddress();
        boolean notPublic = address.isAnyLocalAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isMulticastAddress();
        if (bytes.length == 4) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            notPublic |= first == 0 || first == 100 && second >= 64 && second < 128 || first >= 240
                    || first == 192 && second == 0 && (bytes[2] & 0xff) == 0;
        } else {
            notPublic |= (bytes[0] & 0xfe) == 0xfc // unique local fc00::/7
                    || bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && (bytes[3] & 0xff) == 0xb8 // docs
                    || bytes[0] == 0x20 && bytes[1] == 0x02 // 6to4: an IPv4 address inside
                    || bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0 && bytes[3] == 0 // Teredo
                    || bytes[0] == 0 && bytes[1] == 0x64 && (bytes[2] & 0xff) == 0xff && (bytes[3] & 0xff) == 0x9b
                    || java.util.Arrays.equals(bytes, 0, 12, new byte[12], 0, 12); // NAT64, ::a.b.c.d
        }
        return notPublic ? Kind.NOT_PUBLIC : Kind.PUBLIC_IP;
    }
}
