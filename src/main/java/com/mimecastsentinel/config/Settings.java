package com.mimecastsentinel.config;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import com.mimecastsentinel.logging.Secrets;
import org.quartz.CronExpression;

/**
 * The connector's settings, read once at start-up and validated. Every setting is a key in
 * application.properties whose default comes from the environment variable named in docs/configuration.md; errors name the
 * environment variable, never the value.
 */
public final class Settings {

    public enum CheckpointStoreKind { BLOB, FILE }

    public enum SinkKind { SENTINEL, FILE }

    public static final String DEFAULT_MIMECAST_URL = "https://api.services.mimecast.com";
    /** Domains of the real Mimecast API: never reached over plain http, whatever MIMECAST_ALLOW_HTTP_HOSTS says. */
    private static final List<String> MIMECAST_DOMAINS = List.of("mimecast.com", "mimecast-offshore.com");

    private final Function<String, Optional<String>> lookup;
    private final Function<String, String> environment;

    public final URI mimecastBaseUrl;
    /** Hosts other than loopback that MIMECAST_BASE_URL may name with plain http (a simulator in a container). */
    public final List<String> mimecastHttpHosts;
    /** Loopback, private or link-local hosts a SIEM file URL may name (a simulator on this machine or network). */
    public final List<String> mimecastPrivateHosts;
    public final String mimecastClientId;
    public final String mimecastClientSecret;
    public final String mimecastAppId;
    public final String mimecastAppKey;
    public final String mimecastAccessKey;
    public final String mimecastSecretKey;
    public final boolean demo;
    /** The demo's simulated accounts: 1 is the demo as a single account; more declares demo-1, demo-2, …. */
    public final int demoAccounts;
    /** The first simulator's port (0: any free one). */
    public final int demoSimulatorPort;
    /** MIMECAST_ACCOUNTS_FILE: the declared accounts (docs/configuration.md, many accounts), or null. */
    public final Path accountsFile;

    public final String azureTenantId;
    public final String azureClientId;
    public final String azureClientSecret;
    public final String azureAuthorityHost;
    /** AZURE_CLOUD: the audiences tokens are asked for, and the default endpoints. */
    public final AzureCloud azureCloud;
    /** Azure Resource Manager: the STIX upload's token audience and the tables command's API. */
    public final String resourceManagerEndpoint;
    public final String ingestionEndpoint;
    public final String dcrId;
    /** The DCR of the Awareness Training tables (one DCR holds at most 10 streams), and its endpoint. */
    public final String awarenessDcrId;
    public final String awarenessIngestionEndpoint;
    public final String workspaceId;
    /** The SENTINEL_* tables declare the mimecastAccount column: declared accounts' rows name their account. */
    public final boolean accountColumn;
    public final String threatIntelEndpoint;
    public final String threatIntelSource;
    /** Hosts besides Azure's own domains that may receive Azure tokens and secrets (local fakes in tests). */
    public final List<String> azureAllowHosts;

    public final CheckpointStoreKind checkpointStore;
    public final String storageConnectionString;
    public final String storageAccountUrl;
    public final String checkpointContainer;
    public final Path checkpointDir;
    public final Path deadLetterDir;

    public final SinkKind sink;
    public final Path outputDir;

    public final List<String> logTypes;
    public final String schedule;
    /** START_DATE: where a log type without a checkpoint starts (a day at 00:00 UTC, or an instant). */
    public final Instant startDate;
    public final boolean runOnce;
    /** Backfill: read [from, to) (UTC days) once, in its own checkpoint namespace; null for the live connector. */
    public final LocalDate backfillFrom;
    public final LocalDate backfillTo;

    public final Duration overlap;
    public final Duration maxWindow;
    public final int pageSize;
    public final int maxAttempts;
    public final Duration maxRateLimitWait;
    public final Duration httpTimeout;
    /** The bounds of what Mimecast sends: an API answer, a file's line, a file inflated, and its inflation ratio. */
    public final int maxAnswerBytes;
    public final int maxLineBytes;
    public final long maxFileBytes;
    public final int maxInflateRatio;
    /** Readiness goes down for a log type without progress (a run ended, a batch delivered) for this many periods. */
    public final int stallPeriods;
    public final Duration leaseDuration;
    public final Duration checkpointPatience;
    /** Awareness Training: how long a snapshot lasts before every user is sent again. */
    public final Duration awarenessSnapshotInterval;
    public final String instanceId;

    /**
     * @param lookup      property key to value (application.properties, system properties, environment)
     * @param environment raw environment variables, for the {@code <NAME>_FILE} secret convention
     */
    public Settings(Function<String, Optional<String>> lookup, Function<String, String> environment) {
        this.lookup = lookup;
        this.environment = environment;

        mimecastClientId = optional("mimecast.client-id");
        mimecastClientSecret = secret("mimecast.client-secret", "MIMECAST_CLIENT_SECRET");
        mimecastAppId = optional("mimecast.app-id");
        mimecastAppKey = secret("mimecast.app-key", "MIMECAST_APP_KEY");
        mimecastAccessKey = secret("mimecast.access-key", "MIMECAST_ACCESS_KEY");
        mimecastSecretKey = secret("mimecast.secret-key", "MIMECAST_SECRET_KEY");
        String accounts = optional("mimecast.accounts-file");
        accountsFile = accounts == null ? null : Path.of(accounts);
        if (accountsFile != null && !Files.isReadable(accountsFile)) {
            throw new ConfigurationException("MIMECAST_ACCOUNTS_FILE", "names a file that cannot be read");
        }
        // no credentials and no declared account: the demo
        demo = mimecastClientId == null && mimecastAppId == null && accountsFile == null;
        demoAccounts = integer("demo.accounts", "DEMO_ACCOUNTS", 1, 1, 9);
        if (demoAccounts > 1 && !demo) {
            throw new ConfigurationException("DEMO_ACCOUNTS", "is for the demo only (no Mimecast credentials and no "
                    + "MIMECAST_ACCOUNTS_FILE)");
        }
        demoSimulatorPort = integer("demo.simulator-port", "DEMO_SIMULATOR_PORT", 0, 0, 65535);
        mimecastHttpHosts = httpHosts("mimecast.allow-http-hosts", "MIMECAST_ALLOW_HTTP_HOSTS");
        mimecastPrivateHosts = hostList("mimecast.allow-private-hosts", "MIMECAST_ALLOW_PRIVATE_HOSTS");
        mimecastBaseUrl = url("mimecast.base-url", "MIMECAST_BASE_URL", DEFAULT_MIMECAST_URL, mimecastHttpHosts);

        azureTenantId = optional("azure.tenant-id");
        azureClientId = optional("azure.client-id");
        azureClientSecret = secret("azure.client-secret", "AZURE_CLIENT_SECRET");
        azureAuthorityHost = optional("azure.authority-host");
        azureCloud = AzureCloud.parse(optional("azure.cloud"));
        resourceManagerEndpoint = orDefault("azure.resource-manager-endpoint", azureCloud.resourceManager)
                .replaceAll("/+$", "");
        azureAllowHosts = hostList("azure.allow-hosts", "AZURE_ALLOW_HOSTS");
        ingestionEndpoint = optional("sentinel.ingestion-endpoint");
        dcrId = optional("sentinel.dcr-id");
        awarenessDcrId = optional("sentinel.awareness-dcr-id");
        awarenessIngestionEndpoint = optional("sentinel.awareness-ingestion-endpoint");
        workspaceId = optional("sentinel.workspace-id");
        accountColumn = bool("sentinel.account-column", "SENTINEL_ACCOUNT_COLUMN", false);
        String tiEndpoint = optional("sentinel.ti-endpoint");
        threatIntelEndpoint = tiEndpoint != null ? tiEndpoint.replaceAll("/+$", "") : azureCloud.threatIntelEndpoint;
        threatIntelSource = orDefault("sentinel.ti-source-system", "Mimecast");
        if ("Microsoft Sentinel".equalsIgnoreCase(threatIntelSource)) {
            throw new ConfigurationException("SENTINEL_TI_SOURCE_SYSTEM", "must not be 'Microsoft Sentinel'");
        }

        checkpointStore = choice("checkpoint.store", "CHECKPOINT_STORE", CheckpointStoreKind.class,
                demo ? CheckpointStoreKind.FILE : CheckpointStoreKind.BLOB);
        storageConnectionString = secret("azure.storage.connection-string", "AZURE_STORAGE_CONNECTION_STRING");
        storageAccountUrl = optional("azure.storage.account-url");
        checkpointContainer = orDefault("checkpoint.container", "mimecast-checkpoints");
        checkpointDir = Path.of(orDefault("checkpoint.dir", "./data/checkpoints"));
        deadLetterDir = Path.of(orDefault("dead-letter.dir", "./data/dead-letter"));

        sink = choice("sink", "SINK", SinkKind.class, demo ? SinkKind.FILE : SinkKind.SENTINEL);
        outputDir = Path.of(orDefault("output.dir", "./data/out"));

        String types = optional("mimecast.log-types");
        logTypes = types == null ? List.of()
                : Arrays.stream(types.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .map(s -> s.toLowerCase(Locale.ROOT)).distinct().toList();
        schedule = cron("schedule", "SCHEDULE", "0 0/10 * * * ?");
        startDate = dayOrInstant("start-date", "START_DATE");
        backfillFrom = date("backfill.from", "BACKFILL_FROM");
        backfillTo = date("backfill.to", "BACKFILL_TO");
        // a backfill catches up once and ends, whatever RUN_ONCE says
        runOnce = backfillFrom != null || bool("run-once", "RUN_ONCE", false);

        overlap = duration("mimecast.overlap", "MIMECAST_OVERLAP", Duration.ofMinutes(15));
        maxWindow = duration("mimecast.max-window", "MIMECAST_MAX_WINDOW", Duration.ofDays(1));
        if (maxWindow.compareTo(overlap.multipliedBy(2)) < 0) {
            throw new ConfigurationException("MIMECAST_MAX_WINDOW", "must be at least twice MIMECAST_OVERLAP");
        }
        pageSize = integer("mimecast.page-size", "MIMECAST_PAGE_SIZE", 500, 1, 500);
        maxAttempts = integer("mimecast.max-attempts", "MIMECAST_MAX_ATTEMPTS", 5, 1, 20);
        maxRateLimitWait = duration("mimecast.max-rate-limit-wait", "MIMECAST_MAX_RATE_LIMIT_WAIT",
                Duration.ofMinutes(15));
        httpTimeout = duration("http.timeout", "HTTP_TIMEOUT", Duration.ofSeconds(60));
        maxAnswerBytes = (int) size("mimecast.max-answer-bytes", "MIMECAST_MAX_ANSWER_BYTES", 32L << 20, 1L << 16,
                1L << 30);
        maxLineBytes = (int) size("mimecast.max-line-bytes", "MIMECAST_MAX_LINE_BYTES", 4L << 20, 1L << 10,
                256L << 20);
        maxFileBytes = size("mimecast.max-file-bytes", "MIMECAST_MAX_FILE_BYTES", 4L << 30, 1L << 20, 1L << 40);
        maxInflateRatio = integer("mimecast.max-inflate-ratio", "MIMECAST_MAX_INFLATE_RATIO", 200, 10, 100_000);
        stallPeriods = integer("readiness.stall-periods", "READINESS_STALL_PERIODS", 3, 1, 1000);
        leaseDuration = duration("lease.duration", "LEASE_DURATION", Duration.ofSeconds(30));
        if (leaseDuration.getSeconds() < 15 || leaseDuration.getSeconds() > 60) {
            throw new ConfigurationException("LEASE_DURATION", "must be from PT15S to PT60S (Azure Blob leases)");
        }
        instanceId = orDefault("instance.id", defaultInstanceId());
        checkpointPatience = duration("checkpoint.patience", "CHECKPOINT_PATIENCE", Duration.ofMinutes(2));
        awarenessSnapshotInterval = duration("awareness.snapshot-interval", "AWARENESS_SNAPSHOT_INTERVAL",
                Duration.ofHours(24));

        validateCombinations();
    }

    private void validateCombinations() {
        if ((backfillFrom == null) != (backfillTo == null)) {
            throw new ConfigurationException(backfillFrom == null ? "BACKFILL_FROM" : "BACKFILL_TO",
                    "is required for a backfill (BACKFILL_FROM and BACKFILL_TO go together)");
        }
        if (backfillFrom != null) {
            if (!backfillFrom.isBefore(backfillTo)) {
                throw new ConfigurationException("BACKFILL_TO", "must be after BACKFILL_FROM");
            }
            if (logTypes.isEmpty()) {
                throw new ConfigurationException("MIMECAST_LOG_TYPES", "must name the log types to backfill");
            }
        }
        if (mimecastClientId != null && mimecastAppId != null) {
            throw new ConfigurationException("MIMECAST_CLIENT_ID",
                    "and MIMECAST_APP_ID are both set: use API 2.0 (client id/secret) or API 1.0 (app id/keys), not both");
        }
        if (mimecastClientId != null && mimecastClientSecret == null) {
            throw new ConfigurationException("MIMECAST_CLIENT_SECRET", "is required with MIMECAST_CLIENT_ID");
        }
        if (mimecastAppId != null) {
            requireWith(mimecastAppKey, "MIMECAST_APP_KEY", "MIMECAST_APP_ID");
            requireWith(mimecastAccessKey, "MIMECAST_ACCESS_KEY", "MIMECAST_APP_ID");
            requireWith(mimecastSecretKey, "MIMECAST_SECRET_KEY", "MIMECAST_APP_ID");
            try {
                Base64.getDecoder().decode(mimecastSecretKey);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("MIMECAST_SECRET_KEY", "is not valid base64");
            }
        }
        if (sink == SinkKind.SENTINEL) {
            if (ingestionEndpoint == null) {
                throw new ConfigurationException("SENTINEL_INGESTION_ENDPOINT", "is required when SINK=sentinel");
            }
            requireAzureUrl(ingestionEndpoint, "SENTINEL_INGESTION_ENDPOINT", INGESTION_DOMAINS);
            if (dcrId == null) {
                throw new ConfigurationException("SENTINEL_DCR_ID", "is required when SINK=sentinel");
            }
            if (!dcrId.startsWith("dcr-")) {
                throw new ConfigurationException("SENTINEL_DCR_ID", "must be the DCR immutable id (dcr-...)");
            }
            if (awarenessDcrId != null && !awarenessDcrId.startsWith("dcr-")) {
                throw new ConfigurationException("SENTINEL_AWARENESS_DCR_ID",
                        "must be the DCR immutable id (dcr-...)");
            }
            if ((awarenessDcrId == null) != (awarenessIngestionEndpoint == null)) {
                throw new ConfigurationException(awarenessDcrId == null ? "SENTINEL_AWARENESS_DCR_ID"
                        : "SENTINEL_AWARENESS_INGESTION_ENDPOINT", "is required with "
                        + (awarenessDcrId == null ? "SENTINEL_AWARENESS_INGESTION_ENDPOINT"
                                : "SENTINEL_AWARENESS_DCR_ID") + " (the Awareness Training DCR and its endpoint)");
            }
            if (awarenessIngestionEndpoint != null) {
                requireAzureUrl(awarenessIngestionEndpoint, "SENTINEL_AWARENESS_INGESTION_ENDPOINT", INGESTION_DOMAINS);
            }
        }
        if ("true".equalsIgnoreCase(optional("camel.management.authentication-enabled"))
                && optional("camel.management.jwt-keystore-type") == null) {
            String users = optional("camel.management.basic-properties-file");
            if (users == null) {
                throw new ConfigurationException("MANAGEMENT_USERS_FILE", "is required with MANAGEMENT_AUTH_ENABLED=true");
            }
            if (!Files.isReadable(Path.of(users))) {
                throw new ConfigurationException("MANAGEMENT_USERS_FILE", "names a file that cannot be read");
            }
        }
        if (azureClientSecret != null && (azureTenantId == null || azureClientId == null)) {
            throw new ConfigurationException("AZURE_CLIENT_SECRET", "needs AZURE_TENANT_ID and AZURE_CLIENT_ID");
        }
        if (azureAuthorityHost != null) {
            requireAzureUrl(azureAuthorityHost, "AZURE_AUTHORITY_HOST", AUTHORITY_DOMAINS);
        }
        if (threatIntelEndpoint != null) {
            requireAzureUrl(threatIntelEndpoint, "SENTINEL_TI_ENDPOINT", THREAT_INTEL_DOMAINS);
        }
        requireAzureUrl(resourceManagerEndpoint, "AZURE_RESOURCE_MANAGER_ENDPOINT", MANAGEMENT_DOMAINS);
        requireCloud(ingestionEndpoint, "SENTINEL_INGESTION_ENDPOINT");
        requireCloud(awarenessIngestionEndpoint, "SENTINEL_AWARENESS_INGESTION_ENDPOINT");
        if (checkpointStore == CheckpointStoreKind.BLOB) {
            if (storageConnectionString == null && storageAccountUrl == null) {
                throw new ConfigurationException("AZURE_STORAGE_CONNECTION_STRING",
                        "or AZURE_STORAGE_ACCOUNT_URL is required when CHECKPOINT_STORE=blob");
            }
            if (storageConnectionString != null && storageAccountUrl != null) {
                throw new ConfigurationException("AZURE_STORAGE_CONNECTION_STRING",
                        "and AZURE_STORAGE_ACCOUNT_URL are both set: choose one");
            }
            if (storageAccountUrl != null) {
                requireAzureUrl(storageAccountUrl, "AZURE_STORAGE_ACCOUNT_URL", STORAGE_DOMAINS);
            }
            if (!checkpointContainer.matches("[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]")) {
                throw new ConfigurationException("CHECKPOINT_CONTAINER", "is not a valid blob container name");
            }
        }
    }

    /** Quartz cron for one log type: {@code SCHEDULE_<LOGTYPE>} or else {@code SCHEDULE}. */
    public String scheduleFor(String logType) {
        String variable = "SCHEDULE_" + logType.toUpperCase(Locale.ROOT).replace('-', '_');
        String fallback = logType.startsWith("awareness-")
                ? cron("awareness.schedule", "SCHEDULE_AWARENESS", "0 5 * * * ?") : schedule;
        return cron("schedule." + logType, variable, fallback);
    }

    /** The blob lease id of this instance: stable for the same INSTANCE_ID, so a restart takes its lease back. */
    public String leaseId() {
        return java.util.UUID.nameUUIDFromBytes(instanceId.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String defaultInstanceId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return host + ":" + Path.of("").toAbsolutePath();
    }

    public boolean backfill() {
        return backfillFrom != null;
    }

    /**
     * Where this run keeps its checkpoints and leases: the live position for the connector, a folder of its own
     * for a backfill ({@code backfill/<from>_<to>/}), so a backfill never moves the live checkpoint.
     */
    public String checkpointNamespace() {
        return backfill() ? "backfill/" + backfillFrom + "_" + backfillTo + "/" : "";
    }

    /**
     * Whether the MIMECAST_* settings (or the demo of one account) are an account of their own: its log types run.
     */
    public boolean ownAccount() {
        return demo && demoAccounts == 1 || mimecastClientId != null || mimecastAppId != null;
    }

    public boolean usesApi2() {
        return mimecastClientId != null || demo;
    }

    private static void requireWith(String value, String variable, String with) {
        if (value == null) {
            throw new ConfigurationException(variable, "is required with " + with);
        }
    }

    /**
     * A Logs Ingestion endpoint named elsewhere (a {@code sentinel:} endpoint's {@code ingestionEndpoint} option in a
     * route) passes the same check as SENTINEL_INGESTION_ENDPOINT.
     */
    public void requireIngestionEndpoint(String value, String where) {
        requireAzureUrl(value, where, INGESTION_DOMAINS);
    }

    /**
     * Where Azure tokens (and the client secret) go: https on a domain of Azure's public or sovereign clouds for
     * that service, or a host named in AZURE_ALLOW_HOSTS (a private endpoint under another name, a local fake).
     */
    private void requireAzureUrl(String value, String variable, List<String> domains) {
        URI uri = parseUri(value, variable);
        if (!"https".equals(uri.getScheme())) {
            throw new ConfigurationException(variable, "must be an https:// URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw new ConfigurationException(variable, "must not carry user info");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (azureAllowHosts.contains(host)) {
            return;
        }
        boolean azure = Hosts.classify(host) == Hosts.Kind.DNS_NAME
                && domains.stream().anyMatch(domain -> host.endsWith("." + domain) || host.equals(domain));
        if (!azure || uri.getPort() != -1 && uri.getPort() != 443) {
            throw new ConfigurationException(variable, "must be on a domain of Azure (" + String.join(", ", domains)
                    + ") on port 443, or its host named in AZURE_ALLOW_HOSTS");
        }
    }

    /**
     * An ingestion endpoint of another cloud than AZURE_CLOUD would be sent tokens of the wrong audience: refused
     * here, naming the cloud it belongs to (hosts in AZURE_ALLOW_HOSTS are not judged).
     */
    private void requireCloud(String endpoint, String variable) {
        if (endpoint == null) {
            return;
        }
        String host = parseUri(endpoint, variable).getHost().toLowerCase(Locale.ROOT);
        if (azureAllowHosts.contains(host) || host.endsWith("." + azureCloud.ingestionDomain)) {
            return;
        }
        for (AzureCloud cloud : AzureCloud.values()) {
            if (host.endsWith("." + cloud.ingestionDomain)) {
                throw new ConfigurationException("AZURE_CLOUD", "is " + azureCloud.cloudName + " but " + variable
                        + " is in " + cloud.cloudName + ": set AZURE_CLOUD=" + cloud.cloudName);
            }
        }
    }

    /** Azure's domains per service, public cloud, US Government, China. */
    static final List<String> INGESTION_DOMAINS = List.of("ingest.monitor.azure.com", "ingest.monitor.azure.us",
            "ingest.monitor.azure.cn");
    static final List<String> THREAT_INTEL_DOMAINS = List.of("sentinel.azure.com", "sentinel.azure.us",
            "sentinel.azure.cn");
    static final List<String> STORAGE_DOMAINS = List.of("blob.core.windows.net", "blob.storage.azure.net",
            "blob.core.usgovcloudapi.net", "blob.core.chinacloudapi.cn");
    static final List<String> MANAGEMENT_DOMAINS = List.of("management.azure.com", "management.usgovcloudapi.net",
            "management.chinacloudapi.cn");
    static final List<String> AUTHORITY_DOMAINS = List.of("login.microsoftonline.com", "login.microsoftonline.us",
            "login.chinacloudapi.cn", "login.partner.microsoftonline.cn");

    private static URI parseUri(String value, String variable) {
        try {
            URI uri = URI.create(value);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(variable, "is not a valid URL");
        }
    }

    /**
     * @param httpHosts hosts besides loopback that may be reached with plain http (named one by one, never a
     *                  Mimecast domain: see {@link #httpHosts})
     */
    private URI url(String key, String variable, String defaultValue, List<String> httpHosts) {
        return mimecastUrl(orDefault(key, defaultValue), variable, httpHosts);
    }

    /**
     * A Mimecast base URL named elsewhere (a declared account's), held to MIMECAST_BASE_URL's rule: https, or plain
     * http to loopback or a host of MIMECAST_ALLOW_HTTP_HOSTS.
     */
    public URI mimecastUrl(String value, String where) {
        return mimecastUrl(value, where, mimecastHttpHosts);
    }

    private static URI mimecastUrl(String value, String variable, List<String> httpHosts) {
        URI uri = parseUri(value, variable);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        boolean loopback = Hosts.isLoopback(host);
        // plain http only for a simulator on this machine or one named explicitly: real credentials never travel
        // unencrypted
        if (!"https".equals(uri.getScheme())
                && !("http".equals(uri.getScheme()) && (loopback || httpHosts.contains(host)))) {
            throw new ConfigurationException(variable, "must be an https:// URL");
        }
        String text = uri.toString();
        return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    }

    /**
     * Host names (exact, comma separated) to which MIMECAST_BASE_URL may use plain http: a simulator in another
     * container of a demo. A Mimecast domain is refused, so a real Mimecast is reached over https only.
     */
    private List<String> httpHosts(String key, String variable) {
        List<String> hosts = hostList(key, variable);
        for (String host : hosts) {
            if (MIMECAST_DOMAINS.stream().anyMatch(d -> host.equals(d) || host.endsWith("." + d))) {
                throw new ConfigurationException(variable,
                        "must not name a Mimecast host: Mimecast is only reached over https");
            }
        }
        return hosts;
    }

    /** Host names or IP literals, comma separated (no scheme, port or wildcard). */
    private List<String> hostList(String key, String variable) {
        String value = optional(key);
        if (value == null) {
            return List.of();
        }
        List<String> hosts = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.toLowerCase(Locale.ROOT)).distinct().toList();
        for (String host : hosts) {
            if (Hosts.classify(host) == Hosts.Kind.INVALID) {
                throw new ConfigurationException(variable, "must list host names or IP addresses only (no scheme, "
                        + "port or wildcard)");
            }
        }
        return hosts;
    }

    /** A size in bytes: a number, or with KiB, MiB or GiB (K, M, G, KB, MB, GB read the same). */
    private long size(String key, String variable, long defaultValue, long min, long max) {
        String value = optional(key);
        if (value == null) {
            return defaultValue;
        }
        java.util.regex.Matcher size = java.util.regex.Pattern.compile("(?i)(\\d{1,12})\\s*([kmg])?(i?b)?")
                .matcher(value);
        if (!size.matches()) {
            throw new ConfigurationException(variable, "must be a size such as 4MiB, 512KiB or 1048576");
        }
        long bytes = Long.parseLong(size.group(1));
        String unit = size.group(2) == null ? "" : size.group(2).toLowerCase(Locale.ROOT);
        bytes <<= switch (unit) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        if (bytes < min || bytes > max) {
            throw new ConfigurationException(variable, "must be from " + min + " to " + max + " bytes");
        }
        return bytes;
    }

    private String optional(String key) {
        return lookup.apply(key).map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
    }

    private String orDefault(String key, String defaultValue) {
        String value = optional(key);
        return value == null ? defaultValue : value;
    }

    /** A secret comes from its setting or, as container platforms mount them, from the file named by NAME_FILE. */
    private String secret(String key, String variable) {
        String value = optional(key);
        if (value != null) {
            Secrets.register(value);
            return value;
        }
        String file = environment.apply(variable + "_FILE");
        if (file == null || file.isBlank()) {
            return null;
        }
        try {
            String content = Files.readString(Path.of(file.trim()), StandardCharsets.UTF_8).trim();
            Secrets.register(content);
            return content.isEmpty() ? null : content;
        } catch (IOException e) {
            throw new ConfigurationException(variable + "_FILE", "names a file that cannot be read");
        }
    }

    private <E extends Enum<E>> E choice(String key, String variable, Class<E> type, E defaultValue) {
        String value = optional(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(variable, "must be one of "
                    + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
        }
    }

    private String cron(String key, String variable, String defaultValue) {
        String value = orDefault(key, defaultValue);
        try {
            CronExpression.validateExpression(value);
            return value;
        } catch (java.text.ParseException e) {
            throw new ConfigurationException(variable, "is not a valid Quartz cron expression (" + e.getMessage() + ")");
        }
    }

    private Instant dayOrInstant(String key, String variable) {
        String value = optional(key);
        if (value == null) {
            return null;
        }
        try {
            return dayOrInstant(value);
        } catch (DateTimeParseException e) {
            throw new ConfigurationException(variable, DAY_OR_INSTANT);
        }
    }

    /** What {@link #dayOrInstant(String)} takes, for the error that names a setting or argument. */
    public static final String DAY_OR_INSTANT = "must be a day (yyyy-MM-dd, UTC) or an instant (yyyy-MM-ddTHH:mm:ssZ)";

    /**
     * A day (its start, UTC) or an instant: migrating from another collector starts at the newest event it
     * delivered, not at the start of that day.
     */
    public static Instant dayOrInstant(String value) {
        String text = value.trim();
        return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
                : java.time.OffsetDateTime.parse(text).toInstant();
    }

    private LocalDate date(String key, String variable) {
        String value = optional(key);
        if (value == null) {
            return null;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new ConfigurationException(variable, "must be a date as yyyy-MM-dd");
        }
    }

    private boolean bool(String key, String variable, boolean defaultValue) {
        String value = optional(key);
        if (value == null) {
            return defaultValue;
        }
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new ConfigurationException(variable, "must be true or false");
        }
        return Boolean.parseBoolean(value);
    }

    private Duration duration(String key, String variable, Duration defaultValue) {
        String value = optional(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            Duration parsed = Duration.parse(value);
            if (parsed.isNegative() || parsed.isZero()) {
                throw new ConfigurationException(variable, "must be a positive ISO-8601 duration such as PT15M");
            }
            return parsed;
        } catch (DateTimeParseException e) {
            throw new ConfigurationException(variable, "must be an ISO-8601 duration such as PT15M");
        }
    }

    private int integer(String key, String variable, int defaultValue, int min, int max) {
        String value = optional(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(variable, "must be a whole number from " + min + " to " + max);
        }
    }
}
