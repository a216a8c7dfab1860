package com.mimecastsentinel.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.transform.EventTimes;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.apache.camel.support.service.ServiceSupport;

/**
 * An embedded Mimecast API for the demo and the tests: OAuth2 client credentials and every paged log endpoint
 * with real time filters and pagination, serving generated events. It listens on the loopback interface, unless
 * {@link SimulatorMain} runs it on its own (in a container) on the interface it is given.
 */
public final class MimecastSimulator extends ServiceSupport {
    public static final String DEMO_CLIENT_ID = "demo-client";
    public static final String DEMO_CLIENT_SECRET = "demo-secret";
    /** API 1.0 keys the simulator accepts (the secret key is base64, as Mimecast issues it). */
    public static final String DEMO_APP_ID = "demo-app";
    public static final String DEMO_APP_KEY = "demo-app-key";
    public static final String DEMO_ACCESS_KEY = "demo-access-key";
    public static final String DEMO_SECRET_KEY = "ZGVtby1zZWNyZXQta2V5LWJ5dGVz";
    static final String[] LEGACY_FILES = { "receipt", "process", "jrnl" };

    /** The API credentials the simulator accepts: the demo's public ones unless a test sets its own. */
    public record Credentials(String clientId, String clientSecret, String appId, String appKey, String accessKey,
            String secretKey) {
        public static final Credentials DEMO = new Credentials(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_APP_ID,
                DEMO_APP_KEY, DEMO_ACCESS_KEY, DEMO_SECRET_KEY);
    }

    private volatile Credentials credentials = Credentials.DEMO;
    private final Set<String> signatures = ConcurrentHashMap.newKeySet();
    private final Set<String> urlSignatures = ConcurrentHashMap.newKeySet();

    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, PagedFeeds.Feed> feeds;
    private final Map<String, BatchFeeds.Feed> batchFeeds;
    private final AwarenessFeeds awareness = new AwarenessFeeds(json, 40);
    private final Set<String> expiredFiles = ConcurrentHashMap.newKeySet();
    private final List<String> fileRequests = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Set<String> notLicensed = ConcurrentHashMap.newKeySet();
    private final Set<String> withoutPermission = ConcurrentHashMap.newKeySet();
    private final Set<String> malformedFiles = ConcurrentHashMap.newKeySet();
    private final Set<String> truncatedFiles = ConcurrentHashMap.newKeySet();
    private volatile Fault fault;

    /** A failure the API answers with for a while: after {@code after} more calls, {@code count} calls fail. */
    private static final class Fault {
        final java.util.concurrent.atomic.AtomicInteger before;
        final java.util.concurrent.atomic.AtomicInteger remaining;
        final int status;
        final Map<String, String> headers;
        final boolean expireTokens;

        Fault(int after, int count, int status, Map<String, String> headers, boolean expireTokens) {
            this.before = new java.util.concurrent.atomic.AtomicInteger(after);
            this.remaining = new java.util.concurrent.atomic.AtomicInteger(count);
            this.status = status;
            this.headers = headers;
            this.expireTokens = expireTokens;
        }
    }
    /**
     * The API's normal limits, all at once and for good (the fault suite's "degraded upstream"): every
     * {@code rateLimitEvery}th API call a 429 with {@code X-RateLimit-Reset}, every {@code failEvery}th an HTTP 200
     * with a retryable {@code fail[]}, every {@code revokeEvery}th call revokes every token issued, a share of API
     * calls and file downloads a 500, and tokens that expire after {@code tokenSeconds}.
     */
    public record Chaos(int rateLimitEvery, long rateLimitResetMillis, int failEvery, int revokeEvery,
            double serverErrorRate, int tokenSeconds, long seed) {
    }

    private volatile Chaos chaos;
    private final java.util.concurrent.atomic.AtomicLong chaosCalls = new java.util.concurrent.atomic.AtomicLong();
    private volatile java.util.Random chaosRandom = new java.util.Random(0);
    private final Map<String, Instant> tokenExpiry = new ConcurrentHashMap<>();
    /** Listing entries added after an hour's file (a test's hostile entries), and files served besides the hours'. */
    private final Map<Long, List<ObjectNode>> extraEntries = new ConcurrentHashMap<>();
    private final Map<String, byte[]> extraFiles = new ConcurrentHashMap<>();
    /** Put in front of every page token handed out, and expected back (a token is the answer's, not ours). */
    private volatile String tokenPrefix = "";
    private final Map<String, EventGenerator> threatFeeds;
    private final EventGenerator legacyEvents;
    private final java.util.concurrent.atomic.AtomicInteger corruptLegacyFiles = new java.util.concurrent.atomic.AtomicInteger();
    /** API 1.0 SIEM files (by their position in the stream) served with a padding member of this many bytes. */
    private final Map<Long, byte[]> paddedLegacyFiles = new ConcurrentHashMap<>();
    private final String bindHost;
    private final int requestedPort;
    private final URI publicUrl;
    private final SSLContext tls;
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private final AtomicLong tokenRequests = new AtomicLong();
    private final AtomicLong apiRequests = new AtomicLong();
    private final AtomicLong listingRequests = new AtomicLong();
    private final AtomicLong fileDownloads = new AtomicLong();
    private volatile java.nio.file.Path batchFiles;
    private HttpServer server;

    /**
     * @param port          0 for any free port
     * @param eventInterval one event of each log type per interval
     * @param tls           serve HTTPS with this context (tests), or null for plain HTTP on loopback (demo)
     */
    public MimecastSimulator(int port, Duration eventInterval, SSLContext tls) {
        this("127.0.0.1", port, null, eventInterval, tls);
    }

    /**
     * @param bindHost  the interface to listen on
     * @param publicUrl the base URL clients reach it at, for the file links it hands out; null for the address it
     *                  listens on
     */
    public MimecastSimulator(String bindHost, int port, URI publicUrl, Duration eventInterval, SSLContext tls) {
        this.bindHost = bindHost;
        this.requestedPort = port;
        this.publicUrl = publicUrl;
        this.feeds = PagedFeeds.all(json, eventInterval);
        this.batchFeeds = BatchFeeds.all(json, eventInterval);
        this.threatFeeds = ThreatFeeds.all(json, eventInterval);
        this.legacyEvents = new EventGenerator(eventInterval, "siem-legacy", s -> legacyEvent(s));
        this.tls = tls;
    }

    @Override
    protected void doStart() throws IOException {
        InetSocketAddress address = new InetSocketAddress(bindHost, requestedPort);
        if (tls == null) {
            server = HttpServer.create(address, 0);
        } else {
            HttpsServer https = HttpsServer.create(address, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        server.createContext("/oauth/token", this::token);
        for (PagedFeeds.Feed feed : feeds.values()) {
            server.createContext(feed.path(), exchange -> paged(exchange, feed));
        }
        for (String path : List.of(AwarenessFeeds.PERFORMANCE, AwarenessFeeds.SAFE_SCORE, AwarenessFeeds.WATCHLIST,
                AwarenessFeeds.USER_DATA)) {
            server.createContext(path, exchange -> awarenessPage(exchange, path));
        }
        server.createContext(AwarenessFeeds.CAMPAIGNS, this::awarenessCampaigns);
        server.createContext(ThreatFeeds.PATH, this::threatFeed);
        server.createContext("/api/audit/get-siem-logs", this::siemFile);
        for (BatchFeeds.Feed feed : batchFeeds.values()) {
            server.createContext(feed.path(), exchange -> listing(exchange, feed));
            server.createContext("/siem-files/" + feed.folder() + "/", exchange -> file(exchange, feed));
        }
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "mimecast-simulator");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    @Override
    protected void doStop() {
        if (server != null) {
            server.stop(0);
        }
    }

    public URI url() {
        if (publicUrl != null) {
            String text = publicUrl.toString();
            return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        }
        return URI.create((tls == null ? "http://127.0.0.1:" : "https://localhost:") + server.getAddress().getPort());
    }

    /** Every bearer token handed out, so tests can check that none of them leaks. */
    public Set<String> issuedTokens() {
        return Set.copyOf(issued);
    }

    /** Accepts these credentials instead of the demo's. */
    public void useCredentials(Credentials credentials) {
        this.credentials = credentials;
    }

    /** Every API 1.0 request signature the simulator verified (HMAC), so tests can check none of them leaks. */
    public Set<String> verifiedSignatures() {
        return Set.copyOf(signatures);
    }

    /** Every signature put in a pre-signed file URL handed out ({@code sig=}), likewise. */
    public Set<String> urlSignatures() {
        return Set.copyOf(urlSignatures);
    }

    public long tokenRequests() {
        return tokenRequests.get();
    }

    /** SIEM batch listing calls so far. */
    public long listingRequests() {
        return listingRequests.get();
    }

    /** The raw paths of every file download asked for, in order. */
    public List<String> fileRequests() {
        return List.copyOf(fileRequests);
    }

    /** SIEM batch file downloads so far. */
    public long fileDownloads() {
        return fileDownloads.get();
    }

    /**
     * Serves SIEM batch files from {@code directory} ({@code <folder>/<hour>.json.gz}, folder {@code cg} or
     * {@code ci}) instead of generating them; an hour without a file is an empty one. For benchmarks: a backlog
     * written once, served without the simulator's own generation work.
     */
    public void serveBatchFiles(java.nio.file.Path directory) {
        this.batchFiles = directory;
    }

    public long apiRequests() {
        return apiRequests.get();
    }

    /** The events an endpoint holds (paged or batch), to compare what the connector delivered with. */
    public EventGenerator events(String path) {
        return feeds.containsKey(path) ? feeds.get(path).events() : batchFeeds.get(path).events();
    }

    /**
     * After {@code after} more API calls (token requests and file downloads aside), the next {@code count}
     * calls answer {@code status} with {@code headers}: rate limits, outages.
     */
    public void failAfter(int after, int count, int status, Map<String, String> headers) {
        fault = new Fault(after, count, status, headers, false);
    }

    /** From now on, the API behaves as {@code chaos} says (null: as normal again). */
    public void chaos(Chaos chaos) {
        this.chaosRandom = new java.util.Random(chaos == null ? 0 : chaos.seed());
        this.chaos = chaos;
    }

    /** Every page token, listing token, feed token and SIEM token handed out starts with this text. */
    public void prefixTokens(String prefix) {
        this.tokenPrefix = prefix;
    }

    /**
     * A listing entry (any JSON, e.g. a URL that is not one) added to a SIEM listing page right after the file of
     * this hour.
     */
    public void addListingEntry(long hour, ObjectNode entry) {
        extraEntries.computeIfAbsent(hour, h -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(entry);
    }

    /**
     * A file served at {@code /siem-files/<folder>/<name>} (gzip bytes as given: a bomb, a damaged file), listed
     * right after the file of this hour.
     */
    public void addListedFile(long hour, String folder, String name, byte[] content) {
        String path = "/siem-files/" + folder + "/" + name;
        extraFiles.put(path, content);
        addListingEntry(hour, json.createObjectNode().put("url", url() + path + "?sig=" + UUID.randomUUID())
                .put("size", content.length));
    }

    /** After {@code after} more API calls, every token issued so far stops being valid (expiry mid-run). */
    public void expireTokensAfter(int after) {
        fault = new Fault(after, 0, 401, Map.of(), true);
    }

    /** Applies a pending fault to this call; true when the call was answered with it. */
    private boolean faulted(HttpExchange exchange) throws IOException {
        Chaos degraded = chaos;
        if (degraded != null) {
            long call = chaosCalls.incrementAndGet();
            if (degraded.revokeEvery() > 0 && call % degraded.revokeEvery() == 0) {
                tokens.clear(); // this call, and every call with an older token, answers 401
            }
            if (degraded.rateLimitEvery() > 0 && call % degraded.rateLimitEvery() == 0) {
                exchange.getResponseHeaders().add("X-RateLimit-Reset", String.valueOf(degraded.rateLimitResetMillis()));
                respond(exchange, 429, json.createObjectNode().put("message", "Over throttling limit"));
                return true;
            }
            if (degraded.failEvery() > 0 && call % degraded.failEvery() == 0) {
                ObjectNode failed = json.createObjectNode();
                failed.putObject("meta").put("status", 200);
                failed.putArray("data");
                failed.putArray("fail").addObject().putArray("errors").addObject().put("code", "err_xdk_internal")
                        .put("message", "Internal server error, please retry").put("retryable", true);
                respond(exchange, 200, failed);
                return true;
            }
            if (chaosRandom.nextDouble() < degraded.serverErrorRate()) {
                respond(exchange, 500, json.createObjectNode().put("message", "injected server error"));
                return true;
            }
        }
        Fault current = fault;
        if (current == null || current.before.getAndDecrement() > 0) {
            return false;
        }
        if (current.expireTokens) {
            tokens.clear();
            fault = null;
            return false;
        }
        if (current.remaining.getAndDecrement() <= 0) {
            fault = null;
            return false;
        }
        current.headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        respond(exchange, current.status, json.createObjectNode().put("message", "injected failure"));
        return true;
    }

    /** This batch file path is served cut off in the middle of its gzip stream, as a broken download would be. */
    public void truncate(String filePath) {
        truncatedFiles.add(filePath);
    }

    /** This batch file path gets a line that is not JSON and one that is not UTF-8, as a damaged export would. */
    public void malformLineIn(String filePath) {
        malformedFiles.add(filePath);
    }

    /**
     * Every call to this API path answers 403 {@code app_forbidden}, as API 2.0 does for a product not assigned to the
     * application (the code and message as seen from Mimecast; the body's other fields are this simulator's).
     */
    public void notLicensed(String path) {
        notLicensed.add(path);
    }

    /**
     * Every call to this API path answers 403 without a product code, as for a role that lacks the path's permission
     * (Mimecast documents the status, not the body: this one is the simulator's).
     */
    public void withoutPermission(String path) {
        withoutPermission.add(path);
    }

    /** The next SIEM 1.0 file served is truncated, as a corrupt download would be. */
    /**
     * The API 1.0 SIEM file at this position of the stream (0: the first served) gets a second zip member holding
     * {@code padding}: random bytes make the file itself big, zeros make a member that inflates big.
     */
    public void padLegacyFile(long position, byte[] padding) {
        paddedLegacyFiles.put(position, padding);
    }

    public void corruptNextLegacyFile() {
        corruptLegacyFiles.incrementAndGet();
    }

    /** The SIEM 1.0 events of one hour (all three files), to compare with what the connector delivered. */
    public List<ObjectNode> legacyEvents(Instant from, Instant to) {
        return legacyEvents.between(from, to);
    }

    /** The STIX indicators a threat feed holds for a time range (malware and relationships left aside). */
    public List<ObjectNode> indicators(String feedType, Instant from, Instant to) {
        return threatFeeds.get(feedType).between(from, to).stream().map(i -> (ObjectNode) i.get("indicator")).toList();
    }

    /** The next download of this file path answers 403, as an expired pre-signed URL does. */
    public void expireOnce(String filePath) {
        expiredFiles.add(filePath);
    }

    private void token(HttpExchange exchange) throws IOException {
        tokenRequests.incrementAndGet();
        Map<String, String> form = form(read(exchange.getRequestBody()));
        Credentials accepted = credentials;
        if (!accepted.clientId().equals(form.get("client_id")) || !accepted.clientSecret().equals(form.get("client_secret"))
                || !"client_credentials".equals(form.get("grant_type"))) {
            respond(exchange, 401, json.createObjectNode().put("error", "invalid_client"));
            return;
        }
        String token = UUID.randomUUID().toString();
        int lifetime = chaos != null && chaos.tokenSeconds() > 0 ? chaos.tokenSeconds() : 1800;
        tokens.add(token);
        issued.add(token);
        tokenExpiry.put(token, Instant.now().plusSeconds(lifetime));
        respond(exchange, 200, json.createObjectNode().put("access_token", token).put("token_type", "Bearer")
                .put("expires_in", lifetime));
    }

    private void paged(HttpExchange exchange, PagedFeeds.Feed feed) throws IOException {
        if (!admitted(exchange, feed.path())) {
            return;
        }
        JsonNode request = json.readTree(read(exchange.getRequestBody()));
        JsonNode filter = request.path("data").path(0);
        Instant from = EventTimes.parse(filter.path(feed.startFilter())).orElse(Instant.EPOCH);
        Instant to = EventTimes.parse(filter.path(feed.endFilter())).orElse(Instant.now());
        if (to.isAfter(Instant.now())) {
            to = Instant.now();
        }
        JsonNode pagination = request.path("meta").path("pagination");
        int pageSize = Math.max(1, Math.min(500, pagination.path("pageSize").asInt(25)));
        int offset = decodeToken(pagination.path("pageToken").asText(""));
        if (offset < 0) {
            respond(exchange, 400, failure("err_invalid_page_token", "pageToken is not a token this API handed out"));
            return;
        }
        List<ObjectNode> events = feed.events().between(from, to);
        if (!filter.path("oldestFirst").asBoolean(false)) {
            Collections.reverse(events); // newest first unless asked otherwise, as the API does
        }
        ObjectNode response = json.createObjectNode();
        ArrayNode records = feed.recordsKey() == null ? response.putArray("data")
                : response.putArray("data").addObject().putArray(feed.recordsKey());
        page(response, records, events, offset, pageSize);
        respond(exchange, 200, response);
    }

    /** The company's users in the Awareness Training datasets (40 unless a test sets another number). */
    public void awarenessUsers(int count) {
        awareness.users(count);
    }

    /** A user's Awareness Training records change, in every dataset. */
    public void changeAwarenessUser(int user) {
        awareness.change(user);
    }

    /** The records an Awareness Training dataset holds now (user data: of one campaign, else null). */
    public List<ObjectNode> awarenessRecords(String path, String campaign) {
        return awareness.records(path, campaign);
    }

    /** An Awareness Training dataset, {@code pageSize} users a page (user data: of the campaign in {@code data[0].id}). */
    private void awarenessPage(HttpExchange exchange, String path) throws IOException {
        if (!admitted(exchange, path)) {
            return;
        }
        JsonNode request = json.readTree(read(exchange.getRequestBody()));
        JsonNode pagination = request.path("meta").path("pagination");
        int pageSize = Math.max(1, Math.min(500, pagination.path("pageSize").asInt(25)));
        int offset = decodeToken(pagination.path("pageToken").asText(""));
        if (offset < 0) {
            respond(exchange, 400, failure("err_invalid_page_token", "pageToken is not a token this API handed out"));
            return;
        }
        String campaign = request.path("data").path(0).path("id").asText(null);
        if (path.equals(AwarenessFeeds.USER_DATA) && !AwarenessFeeds.CAMPAIGN_IDS.contains(campaign)) {
            respond(exchange, 400, json.createObjectNode().putArray("fail").addObject().putArray("errors")
                    .addObject().put("code", "err_validation_campaign_not_found").put("message", "no such campaign"));
            return;
        }
        ObjectNode response = json.createObjectNode();
        ArrayNode records = path.equals(AwarenessFeeds.USER_DATA)
                ? response.putArray("data").addObject().put("id", campaign).putArray("items")
                : response.putArray("data");
        page(response, records, awareness.records(path, campaign), offset, pageSize);
        respond(exchange, 200, response);
    }

    /** One page of {@code all} from {@code offset} into {@code records}, with {@code meta.pagination}. */
    private void page(ObjectNode response, ArrayNode records, List<ObjectNode> all, int offset, int pageSize) {
        int end = Math.min(all.size(), offset + pageSize);
        ObjectNode page = response.putObject("meta").put("status", 200).putObject("pagination");
        page.put("pageSize", pageSize).put("totalCount", all.size());
        if (end < all.size()) {
            page.put("next", encodeToken(end));
        }
        all.subList(Math.min(offset, all.size()), end).forEach(records::add);
        response.putArray("fail");
    }

    /** The phishing campaigns: one answer, not paged. */
    private void awarenessCampaigns(HttpExchange exchange) throws IOException {
        if (!admitted(exchange, AwarenessFeeds.CAMPAIGNS)) {
            return;
        }
        read(exchange.getRequestBody());
        ObjectNode response = json.createObjectNode();
        response.putObject("meta").put("status", 200);
        ArrayNode campaigns = response.putArray("data");
        awareness.campaigns().forEach(campaigns::add);
        response.putArray("fail");
        respond(exchange, 200, response);
    }

    /** Faults, licence and authorization of an API call; false when it was answered with one of them. */
    private boolean admitted(HttpExchange exchange, String path) throws IOException {
        apiRequests.incrementAndGet();
        if (faulted(exchange)) {
            return false;
        }
        if (notLicensed.contains(path)) {
            ObjectNode answer = failure("app_forbidden", "Resource or method requested does not exist in any product "
                    + "assigned to the application");
            ((ObjectNode) answer.path("meta")).put("status", 403);
            respond(exchange, 403, answer);
            return false;
        }
        if (withoutPermission.contains(path)) {
            ObjectNode answer = failure("forbidden", "the role of this application's user does not grant " + path);
            ((ObjectNode) answer.path("meta")).put("status", 403);
            respond(exchange, 403, answer);
            return false;
        }
        if (!authorized(exchange, path)) {
            respond(exchange, 401, json.createObjectNode().put("error", "unauthorized"));
            return false;
        }
        return true;
    }

    /**
     * A SIEM batch listing: one file per completed hour, {@code pageSize} files a page. The {@code @nextPage}
     * token is the next hour to list; it comes back even when nothing new is there yet.
     */
    private void listing(HttpExchange exchange, BatchFeeds.Feed feed) throws IOException {
        apiRequests.incrementAndGet();
        listingRequests.incrementAndGet();
        if (faulted(exchange)) {
            return;
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !valid(authorization.replaceFirst("^Bearer ", ""))) {
            respond(exchange, 401, json.createObjectNode().putObject("error").put("code", "unauthorized")
                    .put("message", "token missing or expired"));
            return;
        }
        Map<String, String> query = form(exchange.getRequestURI().getRawQuery() == null ? ""
                : exchange.getRequestURI().getRawQuery());
        long hour;
        if (query.containsKey("nextPage")) {
            String token = unwrap(query.get("nextPage"));
            if (token == null) {
                respond(exchange, 400, json.createObjectNode().putObject("error").put("code", "invalid_token")
                        .put("message", "nextPage is not a token this API handed out"));
                return;
            }
            hour = Long.parseLong(new String(java.util.Base64.getUrlDecoder().decode(token),
                    StandardCharsets.UTF_8).substring("hour:".length()));
        } else {
            hour = java.time.LocalDate.parse(query.getOrDefault("dateRangeStartsAt", "1970-01-01"))
                    .atStartOfDay(java.time.ZoneOffset.UTC).toEpochSecond() / 3600;
        }
        int pageSize = Math.max(1, Math.min(100, Integer.parseInt(query.getOrDefault("pageSize", "100"))));
        long completeHours = Instant.now().getEpochSecond() / 3600; // hours before this one are complete
        ObjectNode response = json.createObjectNode();
        ArrayNode value = response.putArray("value");
        while (value.size() < pageSize && hour < completeHours) {
            String file = "/siem-files/" + feed.folder() + "/" + hour + ".json.gz";
            String signature = UUID.randomUUID().toString();
            urlSignatures.add(signature);
            value.addObject().put("url", url() + file + "?sig=" + signature)
                    .put("size", 1000).put("expiry", Instant.now().plusSeconds(900).toString());
            extraEntries.getOrDefault(hour, List.of()).forEach(value::add);
            hour++;
        }
        response.put("@nextPage", tokenPrefix + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("hour:" + hour).getBytes(StandardCharsets.UTF_8)));
        response.put("isCaughtUp", hour >= completeHours);
        respond(exchange, 200, response);
    }

    /** A pre-signed batch file: gzip NDJSON of one hour's events. Refuses an Authorization header. */
    private void file(HttpExchange exchange, BatchFeeds.Feed feed) throws IOException {
        String path = exchange.getRequestURI().getPath();
        fileRequests.add(exchange.getRequestURI().getRawPath());
        if (exchange.getRequestHeaders().getFirst("Authorization") != null) {
            respond(exchange, 400, json.createObjectNode().put("error", "pre-signed URLs take no Authorization"));
            return;
        }
        if (expiredFiles.remove(path)) {
            respond(exchange, 403, json.createObjectNode().put("error", "Request has expired"));
            return;
        }
        Chaos degraded = chaos;
        if (degraded != null && chaosRandom.nextDouble() < degraded.serverErrorRate()) {
            respond(exchange, 500, json.createObjectNode().put("error", "injected server error"));
            return;
        }
        byte[] extra = extraFiles.get(path);
        if (extra != null) {
            fileDownloads.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/gzip");
            exchange.sendResponseHeaders(200, extra.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(extra);
            }
            return;
        }
        long hour = Long.parseLong(path.substring(path.lastIndexOf('/') + 1).replace(".json.gz", ""));
        fileDownloads.incrementAndGet();
        if (batchFiles != null) {
            serveFile(exchange, batchFiles.resolve(feed.folder()).resolve(hour + ".json.gz"));
            return;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(bytes)) {
            boolean malformed = malformedFiles.contains(path);
            for (ObjectNode event : feed.events().between(Instant.ofEpochSecond(hour * 3600),
                    Instant.ofEpochSecond(hour * 3600 + 3599))) {
                gzip.write(json.writeValueAsBytes(event));
                gzip.write('\n');
                if (malformed) {
                    gzip.write("{\"accountId\":\"C0A0\",\"timestamp\":17\n".getBytes(StandardCharsets.UTF_8));
                    gzip.write(new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, 0x28, '"', '}', '\n' });
                    malformed = false;
                }
            }
        }
        byte[] file = bytes.toByteArray();
        if (truncatedFiles.contains(path)) {
            file = java.util.Arrays.copyOf(file, file.length / 2);
        }
        exchange.getResponseHeaders().add("Content-Type", "application/gzip");
        exchange.sendResponseHeaders(200, file.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(file);
        }
    }

    private void serveFile(HttpExchange exchange, java.nio.file.Path file) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "application/gzip");
        if (!java.nio.file.Files.exists(file)) {
            byte[] empty = new java.io.ByteArrayOutputStream().toByteArray();
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            new java.util.zip.GZIPOutputStream(bytes).close();
            empty = bytes.toByteArray();
            exchange.sendResponseHeaders(200, empty.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(empty);
            }
            return;
        }
        exchange.sendResponseHeaders(200, java.nio.file.Files.size(file));
        try (OutputStream out = exchange.getResponseBody()) {
            java.nio.file.Files.copy(file, out);
        }
    }

    /**
     * A threat feed as STIX 2.0 bundles of at most 30 objects, paged through the
     * {@code X-Mc-Threat-Feed-Next-Token} response header; no data is a 200 with a {@code fail[]} code.
     */
    private void threatFeed(HttpExchange exchange) throws IOException {
        apiRequests.incrementAndGet();
        if (faulted(exchange)) {
            return;
        }
        if (!authorized(exchange, ThreatFeeds.PATH)) {
            respond(exchange, 401, json.createObjectNode().put("error", "unauthorized"));
            return;
        }
        JsonNode filter = json.readTree(read(exchange.getRequestBody())).path("data").path(0);
        String feedType;
        Instant from;
        Instant to;
        int offset;
        if (filter.hasNonNull("token")) {
            String given = unwrap(filter.path("token").asText());
            if (given == null) {
                respond(exchange, 400, failure("err_invalid_token", "not a token this API handed out"));
                return;
            }
            String[] token = new String(java.util.Base64.getUrlDecoder().decode(given),
                    StandardCharsets.UTF_8).split("\\|");
            feedType = token[0];
            from = Instant.parse(token[1]);
            to = Instant.parse(token[2]);
            offset = Integer.parseInt(token[3]);
        } else {
            feedType = filter.path("feedType").asText();
            from = EventTimes.parse(filter.path("start")).orElse(Instant.EPOCH);
            to = EventTimes.parse(filter.path("end")).orElse(Instant.now());
            offset = 0;
        }
        EventGenerator feed = threatFeeds.get(feedType);
        List<ObjectNode> items = feed == null ? List.of() : feed.between(from, to.isAfter(Instant.now())
                ? Instant.now() : to);
        if (items.isEmpty()) {
            ObjectNode response = json.createObjectNode();
            response.putObject("meta").put("status", 200);
            response.putArray("data");
            response.putArray("fail").addObject().putArray("errors").addObject()
                    .put("code", "err_threat_intel_feed_no_result_found")
                    .put("message", "No results found for the given criteria").put("retryable", false);
            respond(exchange, 200, response);
            return;
        }
        int end = Math.min(items.size(), offset + 10);
        ObjectNode bundle = json.createObjectNode().put("type", "bundle").put("id", "bundle--" + UUID.randomUUID())
                .put("spec_version", "2.0");
        ArrayNode objects = bundle.putArray("objects");
        items.subList(offset, end).forEach(item -> ThreatFeeds.objects(item).forEach(objects::add));
        if (end < items.size()) {
            exchange.getResponseHeaders().add("X-Mc-Threat-Feed-Next-Token", tokenPrefix + java.util.Base64.getUrlEncoder()
                    .withoutPadding().encodeToString((feedType + "|" + from + "|" + to + "|" + end)
                            .getBytes(StandardCharsets.UTF_8)));
        }
        respond(exchange, 200, bundle);
    }

    /** A token issued, not revoked, not expired. */
    private boolean valid(String token) {
        Instant expiry = tokenExpiry.get(token);
        return tokens.contains(token) && (expiry == null || Instant.now().isBefore(expiry));
    }

    /** API 1.0 callers sign requests; API 2.0 callers send a token. Either is accepted where both exist. */
    private boolean authorized(HttpExchange exchange, String path) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null) {
            return false;
        }
        if (authorization.startsWith("Bearer ")) {
            return valid(authorization.substring("Bearer ".length()));
        }
        String date = exchange.getRequestHeaders().getFirst("x-mc-date");
        String requestId = exchange.getRequestHeaders().getFirst("x-mc-req-id");
        Credentials accepted = credentials;
        if (date == null || requestId == null || !accepted.appId().equals(exchange.getRequestHeaders().getFirst("x-mc-app-id"))) {
            return false;
        }
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
            mac.init(new javax.crypto.spec.SecretKeySpec(java.util.Base64.getDecoder().decode(accepted.secretKey()),
                    "HmacSHA1"));
            String expected = java.util.Base64.getEncoder().encodeToString(mac.doFinal(
                    (date + ":" + requestId + ":" + path + ":" + accepted.appKey()).getBytes(StandardCharsets.UTF_8)));
            signatures.add(expected);
            return authorization.equals("MC " + accepted.accessKey() + ":" + expected);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * SIEM through API 1.0: one zip a call, one per completed hour and file kind (receipt, process, jrnl) from a
     * day ago on; the position travels in the {@code mc-siem-token} header; JSON once caught up.
     */
    private void siemFile(HttpExchange exchange) throws IOException {
        apiRequests.incrementAndGet();
        if (faulted(exchange)) {
            return;
        }
        if (!authorized(exchange, "/api/audit/get-siem-logs")) {
            respond(exchange, 401, json.createObjectNode().put("error", "unauthorized"));
            return;
        }
        JsonNode filter = json.readTree(read(exchange.getRequestBody())).path("data").path(0);
        String given = filter.hasNonNull("token") ? unwrap(filter.path("token").asText()) : null;
        if (filter.hasNonNull("token") && given == null) {
            respond(exchange, 400, failure("err_invalid_token", "not a token this API handed out"));
            return;
        }
        long position = given != null ? Long.parseLong(new String(java.util.Base64.getUrlDecoder()
                .decode(given), StandardCharsets.UTF_8))
                : (Instant.now().getEpochSecond() / 3600 - 24) * LEGACY_FILES.length;
        long hour = position / LEGACY_FILES.length;
        String kind = LEGACY_FILES[(int) (position % LEGACY_FILES.length)];
        if (hour >= Instant.now().getEpochSecond() / 3600) {
            ObjectNode caughtUp = json.createObjectNode();
            caughtUp.putObject("meta").put("status", 200);
            caughtUp.putArray("data");
            caughtUp.putArray("fail");
            respond(exchange, 200, caughtUp);
            return;
        }
        ObjectNode member = json.createObjectNode().put("type", "MTA");
        ArrayNode data = member.putArray("data");
        for (ObjectNode event : legacyEvents.between(Instant.ofEpochSecond(hour * 3600),
                Instant.ofEpochSecond(hour * 3600 + 3599))) {
            if (kind.equals(event.path("kind").asText())) {
                ObjectNode copy = event.deepCopy();
                copy.remove("kind");
                data.add(copy);
            }
        }
        String name = kind + "_" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHH")
                .withZone(java.time.ZoneOffset.UTC).format(Instant.ofEpochSecond(hour * 3600));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
            zip.putNextEntry(new java.util.zip.ZipEntry(name + ".json"));
            zip.write(json.writeValueAsBytes(member));
            zip.closeEntry();
            byte[] padding = paddedLegacyFiles.get(position - (Instant.now().getEpochSecond() / 3600 - 24)
                    * LEGACY_FILES.length);
            if (padding != null) {
                zip.putNextEntry(new java.util.zip.ZipEntry(name + "-padding.json"));
                zip.write(padding);
                zip.closeEntry();
            }
        }
        byte[] file = bytes.toByteArray();
        if (corruptLegacyFiles.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            file = java.util.Arrays.copyOf(file, file.length / 3);
        }
        exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
        exchange.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"" + name + ".zip\"");
        exchange.getResponseHeaders().add("mc-siem-token", tokenPrefix + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(String.valueOf(position + 1).getBytes(StandardCharsets.UTF_8)));
        exchange.sendResponseHeaders(200, file.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(file);
        }
    }

    private ObjectNode legacyEvent(EventGenerator.Seed s) {
        String kind = LEGACY_FILES[(int) Math.floorMod(s.slot, (long) LEGACY_FILES.length)];
        ObjectNode event = json.createObjectNode();
        event.put("kind", kind);
        event.put("acc", "C0A0");
        event.put("datetime", EventTimes.mimecastFormat(s.time));
        event.put("aCode", s.hex(22));
        event.put("MsgId", "<" + s.hex(24) + "@mail.example.com>");
        switch (kind) {
            case "receipt" -> event.put("Sender", "billing@supplier.example.net").put("Rcpt", "alice@example.com")
                    .put("Act", "Acc").put("IP", "198.51.100." + s.pick(2, 250)).put("TlsVer", "TLSv1.3")
                    .put("Subject", "Invoice " + s.pick(3, 9999)).put("SpamScore", String.valueOf(s.pick(4, 20)));
            case "process" -> event.put("Act", "Acc").put("MsgSize", String.valueOf(2000 + s.pick(5, 90000)))
                    .put("AttCnt", String.valueOf(s.pick(6, 3))).put("Hld", "false");
            default -> event.put("Dir", "Outbound").put("Sender", "alice@example.com")
                    .put("Rcpt", "partner@example.net").put("Subject", "Re: contract");
        }
        return event;
    }

    private String encodeToken(int offset) {
        return tokenPrefix + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("offset:" + offset).getBytes(StandardCharsets.UTF_8));
    }

    /** A page token's offset; -1 for a token this API did not hand out. */
    private int decodeToken(String token) {
        if (token.isEmpty()) {
            return 0;
        }
        String given = unwrap(token);
        if (given == null) {
            return -1;
        }
        String text = new String(java.util.Base64.getUrlDecoder().decode(given), StandardCharsets.UTF_8);
        return Integer.parseInt(text.substring("offset:".length()));
    }

    /** A token as handed out, without its prefix; null when it does not start with it (it was changed). */
    private String unwrap(String token) {
        return token.startsWith(tokenPrefix) ? token.substring(tokenPrefix.length()) : null;
    }

    private ObjectNode failure(String code, String message) {
        ObjectNode answer = json.createObjectNode();
        answer.putObject("meta").put("status", 400);
        answer.putArray("data");
        answer.putArray("fail").addObject().putArray("errors").addObject().put("code", code).put("message", message)
                .put("retryable", false);
        return answer;
    }

    private static String read(InputStream body) throws IOException {
        return new String(body.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> values = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
