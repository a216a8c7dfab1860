package com.mimecastsentinel.source;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.mimecastsentinel.config.Hosts;
import com.mimecastsentinel.transform.EventIds;

/**
 * The check every file URL of a SIEM listing passes before it is fetched (and again in the download route, where it
 * becomes the {@code CamelHttpUri} header, in which camel-http resolves property placeholders). A URL is refused
 * unless it is an absolute URI as RFC 3986 writes one (so no {@code {}}, spaces or other characters a URI does not
 * allow: nothing Camel could read as a placeholder or an expression), at most {@value #MAX_LENGTH} characters, https
 * (plain http only for a host of MIMECAST_ALLOW_HTTP_HOSTS, or a loopback host allowed below), without user info,
 * on its scheme's default port, and its host a public DNS name (with a dot, not under {@code .internal}, {@code .svc}
 * and the like) or a public IP literal. Loopback, private and link-local hosts, names of a local network, and other
 * ports, only for hosts named in MIMECAST_ALLOW_PRIVATE_HOSTS (or MIMECAST_ALLOW_HTTP_HOSTS).
 */
public final class FileUrls {
    static final int MAX_LENGTH = 8192;

    private final Set<String> httpHosts;
    private final Set<String> privateHosts;

    public FileUrls(List<String> httpHosts, List<String> privateHosts) {
        this.httpHosts = Set.copyOf(httpHosts);
        this.privateHosts = Set.copyOf(privateHosts);
    }

    /** A file URL refused, and why (the URL itself is never in the message: it may carry a signature). */
    public static final class Refused extends MimecastFailure {
        Refused(String reason) {
            super("file URL refused: " + reason, 200);
        }
    }

    /** The URL, parsed and checked; {@link Refused} says why not. */
    public URI check(String url) {
        if (url == null || url.isEmpty()) {
            throw new Refused("no URL");
        }
        if (url.length() > MAX_LENGTH) {
            throw new Refused("longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new Refused("a character a URI does not allow at index " + i); // java.net.URI takes non-ASCII
            }
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new Refused("not a valid URI (" + e.getReason() + " at index " + e.getIndex() + ")");
        }
        if (!uri.isAbsolute() || uri.isOpaque() || uri.getRawAuthority() == null) {
            throw new Refused("not an absolute http(s) URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("it carries user info");
        }
        String host = uri.getHost();
        if (host == null) {
            throw new Refused("no host (or one that is not a valid host name)");
        }
        host = host.toLowerCase(Locale.ROOT);
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        Hosts.Kind kind = Hosts.classify(host);
        boolean httpAllowed = httpHosts.contains(host);
        boolean privateAllowed = privateHosts.contains(host);
        switch (kind) {
            case INVALID -> throw new Refused("host " + host + " is neither a DNS name nor a canonical IP address");
            case LOOPBACK, NOT_PUBLIC, LOCAL_NAME -> {
                if (!privateAllowed && !httpAllowed) {
                    throw new Refused("host " + host + " is " + (kind == Hosts.Kind.LOOPBACK ? "loopback"
                            : kind == Hosts.Kind.LOCAL_NAME ? "a name of a local network" : "not public")
                            + " (MIMECAST_ALLOW_PRIVATE_HOSTS does not name it)");
                }
            }
            default -> {
                // a DNS name or a public address
            }
        }
        if (!scheme.equals("https") && !(scheme.equals("http")
                && (httpAllowed || kind == Hosts.Kind.LOOPBACK && privateAllowed))) {
            throw new Refused("scheme " + scheme + " (https only; plain http for hosts of MIMECAST_ALLOW_HTTP_HOSTS)");
        }
        int port = uri.getPort();
        if (port != -1 && port != (scheme.equals("https") ? 443 : 80) && !httpAllowed && !privateAllowed) {
            throw new Refused("port " + port + " (only the scheme's default port, except for allowed hosts)");
        }
        return uri;
    }

    /** The URL without its query (the signature), for dead letters and logs. */
    public static String withoutQuery(String url) {
        if (url == null) {
            return "";
        }
        int cut = url.length();
        for (char end : new char[] { '?', '#' }) {
            int at = url.indexOf(end);
            if (at >= 0 && at < cut) {
                cut = at;
            }
        }
        String bare = url.substring(0, cut);
        return bare.length() > 1024 ? bare.substring(0, 1024) + "…" : bare;
    }

    /** The key a file is known by in the checkpoint: its path (stable across listings, unlike the signature). */
    public static String key(String url) {
        return URI.create(url).getPath();
    }

    /**
     * The key a refused listing entry is known by: a hash of its URL without the query (stable across listings),
     * never a path a file of the listing may have.
     */
    public static String refusedKey(String url) {
        return "refused:" + java.util.HexFormat.of().formatHex(sha256(withoutQuery(url)), 0, 16);
    }

    private static byte[] sha256(String text) {
        return EventIds.newDigest().digest(text.getBytes(StandardCharsets.UTF_8));
    }
}
