package com.mimecastsentinel;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.mimecastsentinel.checkpoint.BlobDocuments;
import com.mimecastsentinel.checkpoint.BlobLeases;
import com.mimecastsentinel.checkpoint.CheckpointRepository;
import com.mimecastsentinel.checkpoint.DropDelivered;
import com.mimecastsentinel.checkpoint.CheckpointStore;
import com.mimecastsentinel.checkpoint.FileCheckpointStore;
import com.mimecastsentinel.checkpoint.FileLeases;
import com.mimecastsentinel.checkpoint.LeaseClusterService;
import com.mimecastsentinel.checkpoint.Leases;
import com.mimecastsentinel.checkpoint.PrefixedLeases;
import com.mimecastsentinel.config.AccountsFile;
import com.mimecastsentinel.config.DemoAccount;
import com.mimecastsentinel.config.SecretFile;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.deadletter.FileDeadLetterStore;
import com.mimecastsentinel.run.ConnectorHealthCheck;
import com.mimecastsentinel.run.ConnectorMetrics;
import com.mimecastsentinel.run.ExchangeMeterTags;
import com.mimecastsentinel.run.LogTypeLeadership;
import com.mimecastsentinel.run.Runs;
import com.mimecastsentinel.sentinel.AzureClients;
import com.mimecastsentinel.sentinel.FileOutput;
import com.mimecastsentinel.sentinel.SentinelComponent;
import com.mimecastsentinel.sentinel.Target;
import com.mimecastsentinel.source.AccountRoutes;
import com.mimecastsentinel.source.FileUrlStep;
import com.mimecastsentinel.source.FileUrls;
import com.mimecastsentinel.source.HmacSigner;
import com.mimecastsentinel.source.MimecastAnswer;
import com.mimecastsentinel.source.MimecastAccount;
import com.mimecastsentinel.source.MimecastAuth;
import com.mimecastsentinel.source.MimecastCallAnswer;
import com.mimecastsentinel.source.MimecastEnvelope;
import com.mimecastsentinel.source.OAuthToken;
import com.mimecastsentinel.source.MimecastRetries;
import com.mimecastsentinel.transform.RowBatchConverters;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the beans the routes name from the settings, so that the routes say only what happens: the Mimecast
 * signing, answer and retry steps, the {@code checkpoints} repository and its store, the {@code sentinel:} component
 * and where it sends to, the dead letters, the leases, the {@code mimecastRuns} policy, health and metrics. camel-main
 * loads it through {@code camel.main.configuration-classes} in application.properties, so {@code java -jar} and the
 * Camel CLI wire the same way. Invalid settings throw here, before any route starts. Without Mimecast credentials
 * the demo's simulator is found through {@link DemoAccount}.
 */
public class ConnectorConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectorConfiguration.class);
    /**
     * {@code true} (or {@code json}): the check command (CONNECTOR_CHECK under the Camel CLI). The connector is wired
     * as for a run, but no route starts by itself, no lease is taken and checkpoints go to a scratch directory no
     * one reads; once started, {@link com.mimecastsentinel.check.Preflight} checks through it and reports.
     */
    public static final String CHECK = "connector.check";
    /** In a check, calls give up sooner: two attempts, a short wait on a rate limit, a short timeout. */
    private static final int CHECK_ATTEMPTS = 2;
    private static final Duration CHECK_RATE_LIMIT_WAIT = Duration.ofSeconds(5);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(15);

    @Override
    public void configure(CamelContext context) throws Exception {
        // also here for hosts that start Camel themselves (the Camel CLI): a no-op after Application did it
        Application.maskSecretsInLogs();
        PropertiesComponent properties = context.getPropertiesComponent();
        Settings settings = new Settings(properties::resolveProperty, System::getenv);
        String check = properties.resolveProperty(CHECK).map(String::trim).orElse("false");
        boolean checking = check.equalsIgnoreCase("true") || check.equalsIgnoreCase("json");
        if (!checking && !check.isEmpty() && !check.equalsIgnoreCase("false")) {
            throw new com.mimecastsentinel.config.ConfigurationException("CONNECTOR_CHECK", "must be true, json or false");
        }
        if (checking) {
            context.setAutoStartup(false); // Preflight starts the Mimecast API's routes; a log type's never starts
        }
        ObjectMapper json = jsonMapper();
        Clock clock = Clock.systemUTC();
        Registry registry = context.getRegistry();

        String mimecastUrl = settings.mimecastBaseUrl.toString();
        String clientId = settings.mimecastClientId;
        String clientSecret = settings.mimecastClientSecret;
        List<String> privateHosts = settings.mimecastPrivateHosts;
        List<DemoAccount.Started> demos = new java.util.ArrayList<>();
        if (settings.demo) {
            DemoAccount simulator = DemoAccount.find();
            for (int i = 0; i < settings.demoAccounts; i++) {
                demos.add(simulator.start(context, i == 0 ? settings.demoSimulatorPort : 0));
            }
            DemoAccount.Started demo = demos.get(0);
            mimecastUrl = demo.url();
            clientId = demo.clientId();
            clientSecret = demo.clientSecret();
            privateHosts = java.util.stream.Stream.concat(privateHosts.stream(),
                    java.util.stream.Stream.of(java.net.URI.create(mimecastUrl).getHost())).toList();
        } else if (settings.mimecastHttpHosts.contains(settings.mimecastBaseUrl.getHost().toLowerCase(java.util.Locale.ROOT))
                && "http".equals(settings.mimecastBaseUrl.getScheme())) {
            LOG.warn("Mimecast is reached over plain HTTP at {} (named in MIMECAST_ALLOW_HTTP_HOSTS): "
                    + "only for a simulator, credentials travel unencrypted", mimecastUrl);
        }
        // read by routes/mimecast-api.yaml: the endpoint it calls (the simulator's in the demo)
        properties.addOverrideProperty("mimecast.url", mimecastUrl);
        Duration httpTimeout = checking ? min(settings.httpTimeout, CHECK_TIMEOUT) : settings.httpTimeout;
        configureHttp(context, httpTimeout);
        if (checking) {
            context.getShutdownStrategy().setTimeout(5); // a check's calls left after its deadline are not waited for
        }
        RowBatchConverters.register(context);

        // the Mimecast steps of routes/mimecast-api.yaml
        ConnectorMetrics metrics = new ConnectorMetrics(clock);
        MimecastAuth auth = !settings.ownAccount() ? noOwnAccount(context, mimecastUrl, clock)
                : settings.usesApi2() ? MimecastAuth.oauth(new OAuthToken(context.createProducerTemplate(),
                        mimecastUrl, clientId, clientSecret, clock))
                : MimecastAuth.hmac(new HmacSigner(settings.mimecastAppId, settings.mimecastAppKey,
                        settings.mimecastAccessKey, settings.mimecastSecretKey));
        FileUrls fileUrls = new FileUrls(settings.mimecastHttpHosts, privateHosts);
        // the account every mimecast endpoint calls unless it names another (its account option)
        MimecastAccount account = new MimecastAccount(mimecastUrl, auth);
        registry.bind(MimecastAccount.BEAN, account);
        // the demo's simulated accounts (DEMO_ACCOUNTS), else those of MIMECAST_ACCOUNTS_FILE, if any
        boolean demoAccounts = demos.size() > 1;
        declare(context, demoAccounts ? demoAccounts(context, settings, demos, clock)
                : declaredAccounts(context, settings, clock), demoAccounts ? "DEMO_ACCOUNTS"
                        : String.valueOf(settings.accountsFile));
        registry.bind("mimecastAuth", MimecastAccount.signing(account));
        registry.bind("mimecastRetries", new MimecastRetries(checking ? Math.min(CHECK_ATTEMPTS, settings.maxAttempts)
                : settings.maxAttempts, checking ? min(settings.maxRateLimitWait, CHECK_RATE_LIMIT_WAIT)
                        : settings.maxRateLimitWait, metrics, account));
        registry.bind("mimecastCallAnswer", new MimecastCallAnswer());
        registry.bind("mimecastAnswer", MimecastAnswer.whole(httpTimeout.multipliedBy(2),
                settings.maxAnswerBytes));
        registry.bind("mimecastFileUrl", new FileUrlStep(fileUrls));
        registry.bind("mimecastFile", MimecastAnswer.stream(httpTimeout.multipliedBy(5)));
        registry.bind("mimecastEnvelope", new MimecastEnvelope());

        // checkpoints, dead letters, leases: a Blob container (created when missing) or directories
        AzureClients azure = checking ? new AzureClients(settings, CHECK_TIMEOUT) : new AzureClients(settings);
        // a check leaves the connector's checkpoints alone (Preflight probes the container on its own)
        Storage storage = checking ? scratchStorage() : storage(context, settings, azure);
        CheckpointStore store = storage.checkpoints();
        Leases leases = storage.leases();
        if (settings.backfill()) {
            leases = new PrefixedLeases(leases, settings.checkpointNamespace().replace('/', '-'));
        }
        DeadLetters deadLetters = new DeadLetters(storage.deadLetters(), clock, json,
                logType -> metrics.deadLettered(logType, 1));
        CheckpointRepository checkpoints = new CheckpointRepository(store, settings.overlap, clock, json,
                settings.checkpointPatience, settings.checkpointNamespace());
        checkpoints.onCommitted(metrics::progressed);
        registry.bind(CheckpointRepository.BEAN, checkpoints);
        registry.bind(DropDelivered.BEAN, new DropDelivered(checkpoints));
        registry.bind(DeadLetters.BEAN, deadLetters);

        // where rows go
        // a DCR and a workspace (threat intelligence) per account, or the files every account appends to (one
        // writer: one lock)
        FileOutput files = new FileOutput(settings.outputDir);
        SentinelComponent sentinel = settings.sink == Settings.SinkKind.SENTINEL
                ? new SentinelComponent(azure::logsIngestion, azure::stixUpload, deadLetters, metrics, maxBytes())
                : new SentinelComponent(dcr -> files, workspace -> files, deadLetters, metrics, maxBytes());
        // the demo's accounts write to the same files: each row says which account it came from
        sentinel.setAccountColumn(settings.accountColumn || demoAccounts);
        context.addComponent("sentinel", sentinel);

        // runs, and what they share
        Runs runs = new Runs(settings, metrics, checking);
        registry.bind(Runs.BEAN, runs);
        context.addStartupListener(runs);
        if (!checking) {
            // leadership per log type (the routes' leadership policy): the instance holding its lease runs it, a
            // standby takes over within a lease time of its death, or at once when it stops
            context.addService(new LeaseClusterService(leases, settings.leaseId(), settings.leaseDuration,
                    runs::standsBy));
        }
        registry.bind(LogTypeLeadership.BEAN, new LogTypeLeadership());
        registry.bind(ConnectorServices.BEAN, new ConnectorServices(settings, checkpoints, deadLetters, metrics,
                clock, json, fileUrls));
        Map<String, ConnectorHealthCheck.Probe> probes = new LinkedHashMap<>();
        if (settings.ownAccount()) {
            probes.put("mimecast", auth::check);
        }
        probes.put("checkpoints", () -> store.read(".health"));
        Instant started = clock.instant();
        probes.put("runs", () -> runs.requireProgress(started, clock.instant()));
        if (settings.sink == Settings.SinkKind.SENTINEL || settings.checkpointStore == Settings.CheckpointStoreKind.BLOB
                && settings.storageAccountUrl != null) {
            probes.put("azure", () -> azure.credential().getTokenSync(new com.azure.core.credential.TokenRequestContext()
                    .addScopes(com.mimecastsentinel.config.AzureCloud.PUBLIC_MONITOR_SCOPE)));
        }
        ConnectorHealthCheck health = new ConnectorHealthCheck(probes, Set.of("runs"), clock);
        if (checking) {
            context.addStartupListener(new com.mimecastsentinel.check.Preflight(settings, azure,
                    check.equalsIgnoreCase("json")));
        } else {
            context.addStartupListener(operations(metrics, health));
        }

        LOG.info("Mimecast {} ({}), checkpoints in {}, events to {}, dead letters to {}{}", mimecastUrl,
                settings.usesApi2() ? "API 2.0" : "API 1.0", store.describe(), sentinel.describe(),
                deadLetters.describe(), settings.backfill() ? ", BACKFILL " + settings.backfillFrom + " to "
                        + settings.backfillTo + " (checkpoints under " + settings.checkpointNamespace() + ")"
                        : settings.runOnce ? ", RUN_ONCE" : "");
    }

    /** A declared account: what its endpoints call (its bean) and what its routes are made of. */
    private record Declared(MimecastAccount account, AccountRoutes.Declared routes) {
    }

    /**
     * The declared accounts: a bean each ({@code mimecast-<name>}), and each log type's route made for each of them
     * as the routes are loaded ({@link AccountRoutes}).
     */
    private static void declare(CamelContext context, List<Declared> declared, String source) throws Exception {
        if (declared.isEmpty()) {
            return;
        }
        for (Declared entry : declared) {
            context.getRegistry().bind(AccountRoutes.bean(entry.routes().name()), entry.account());
        }
        AccountRoutes routes = new AccountRoutes(context, declared.stream().map(Declared::routes).toList());
        ((org.apache.camel.model.ModelCamelContext) context).addModelLifecycleStrategy(routes);
        context.addStartupListener((camel, alreadyStarted) -> routes.requireKnown());
        LOG.info("{} Mimecast accounts declared ({}): {}", declared.size(), source,
                declared.stream().map(entry -> entry.routes().name()).toList());
    }

    /** The accounts of MIMECAST_ACCOUNTS_FILE, their secrets read from their files (again as they change). */
    private static List<Declared> declaredAccounts(CamelContext context, Settings settings, Clock clock)
            throws Exception {
        List<Declared> declared = new java.util.ArrayList<>();
        for (AccountsFile.Account entry : AccountsFile.read(settings)) {
            String where = "MIMECAST_ACCOUNTS_FILE (account '" + entry.name() + "': ";
            MimecastAuth auth;
            if (entry.api2()) {
                auth = MimecastAuth.oauth(new OAuthToken(context.createProducerTemplate(), entry.baseUrl().toString(),
                        entry.clientId(), new SecretFile(entry.clientSecretFile(), where + "clientSecretFile)"),
                        clock));
            } else {
                // the key files are read again as they change (rotation), at the next signature
                try {
                    auth = MimecastAuth.hmac(new HmacSigner(entry.appId(),
                            new SecretFile(entry.appKeyFile(), where + "appKeyFile)"),
                            new SecretFile(entry.accessKeyFile(), where + "accessKeyFile)"),
                            new SecretFile(entry.secretKeyFile(), where + "secretKeyFile)"), clock,
                            () -> java.util.UUID.randomUUID().toString()));
                } catch (IllegalArgumentException e) {
                    throw new com.mimecastsentinel.config.ConfigurationException(where + "secretKeyFile)",
                            "is not valid base64");
                }
            }
            MimecastAccount account = new MimecastAccount(entry.name(), entry.baseUrl().toString(), auth,
                    Target.of(entry.name(), entry.destination()), entry.startDate(), Set.copyOf(entry.logTypes()));
            declared.add(new Declared(account, new AccountRoutes.Declared(entry.name(), entry.logTypes(),
                    entry.schedule())));
        }
        return declared;
    }

    /**
     * The demo as a connector of many accounts (DEMO_ACCOUNTS): {@code demo-1}, {@code demo-2}, … each reading a
     * simulator of its own (MIMECAST_LOG_TYPES, or every log type), into the same files, each row naming its
     * account (mimecastAccount).
     */
    private static List<Declared> demoAccounts(CamelContext context, Settings settings,
            List<DemoAccount.Started> simulators, Clock clock) {
        List<Declared> declared = new java.util.ArrayList<>();
        for (int i = 0; i < simulators.size(); i++) {
            DemoAccount.Started simulator = simulators.get(i);
            String name = "demo-" + (i + 1);
            MimecastAccount account = new MimecastAccount(name, simulator.url(), MimecastAuth.oauth(new OAuthToken(
                    context.createProducerTemplate(), simulator.url(), simulator.clientId(), simulator.clientSecret(),
                    clock)), Target.settingsOf(name), null,
                    Set.copyOf(settings.logTypes));
            declared.add(new Declared(account, new AccountRoutes.Declared(name, settings.logTypes, null)));
        }
        return declared;
    }

    /** The endpoints' default account when only declared accounts exist: using it names what is missing. */
    private static MimecastAuth noOwnAccount(CamelContext context, String url, Clock clock) {
        return MimecastAuth.oauth(new OAuthToken(context.createProducerTemplate(), url, "", () -> {
            throw new com.mimecastsentinel.config.ConfigurationException("MIMECAST_CLIENT_ID", "is not set: a route "
                    + "that names no account needs it (or name a declared account: account=#bean:mimecast-<name>)");
        }, clock));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    /** A check's: file stores under a temporary directory that nothing writes (no run starts). */
    private static Storage scratchStorage() {
        java.nio.file.Path scratch = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"),
                "mimecast-sentinel-check-" + java.util.UUID.randomUUID());
        return new Storage(new FileCheckpointStore(scratch.resolve("checkpoints")),
                new FileDeadLetterStore(scratch.resolve("dead-letter")), new FileLeases(scratch.resolve("checkpoints")));
    }

    /** Where checkpoints, dead letters and leases live. */
    public record Storage(CheckpointStore checkpoints, DeadLetters.Store deadLetters, Leases leases) {
    }

    /**
     * The Blob container of CHECKPOINT_CONTAINER (created when missing; documents through camel-azure-storage-blob
     * with the connector's {@code blobServiceClient}, leases with that client), or the directories of the file
     * store.
     */
    public static Storage storage(CamelContext context, Settings settings, AzureClients azure) {
        if (settings.checkpointStore != Settings.CheckpointStoreKind.BLOB) {
            return new Storage(new FileCheckpointStore(settings.checkpointDir),
                    new FileDeadLetterStore(settings.deadLetterDir), new FileLeases(settings.checkpointDir));
        }
        var service = azure.blobService();
        var container = service.getBlobContainerClient(settings.checkpointContainer);
        if (!container.exists()) { // looked at first: a SAS of the container alone may use it, not create it
            container.createIfNotExists();
        }
        return new Storage(blobDocuments(context, settings, azure, service, BlobDocuments.CHECKPOINTS),
                blobDocuments(context, settings, azure, service, BlobDocuments.DEAD_LETTERS),
                new BlobLeases(container, settings.leaseId(), settings.leaseDuration, settings.checkpointNamespace()));
    }

    /** The documents under {@code prefix} of CHECKPOINT_CONTAINER, through camel-azure-storage-blob with {@code service}. */
    public static BlobDocuments blobDocuments(CamelContext context, Settings settings, AzureClients azure,
            com.azure.storage.blob.BlobServiceClient service, String prefix) {
        context.getRegistry().bind("blobServiceClient", service);
        String endpoint = "azure-storage-blob://" + azure.storageAccountName() + "/" + settings.checkpointContainer
                + "?serviceClient=#blobServiceClient";
        return new BlobDocuments(context.createProducerTemplate(), endpoint, settings.checkpointContainer, prefix);
    }

    /** Once the routes run: health and metrics on camel-main's management server (when enabled). */
    private static StartupListener operations(ConnectorMetrics metrics, ConnectorHealthCheck health) {
        return new StartupListener() {
            @Override
            public void onCamelContextStarting(CamelContext context, boolean alreadyStarted) {
                meterTags(context); // before the first exchange: every timer with a routeId tag
            }

            @Override
            public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                HealthCheckRegistry checks = HealthCheckRegistry.get(context);
                if (checks != null) {
                    health.setCamelContext(context);
                    checks.register(health);
                }
                MeterRegistry meters = context.getRegistry().findSingleByType(MeterRegistry.class);
                if (meters != null) {
                    metrics.bind(meters);
                }
            }
        };
    }

    /** {@link ExchangeMeterTags}, where camel-micrometer is there (a Camel CLI run may have no metrics at all). */
    private static void meterTags(CamelContext context) {
        try {
            ExchangeMeterTags.install(context);
        } catch (LinkageError noMicrometer) {
            LOG.debug("no camel-micrometer: {}", noMicrometer.toString());
        }
    }

    /**
     * HTTP_TIMEOUT for the HTTP client that calls Mimecast: connecting, a connection from the pool, each read. The
     * client's own retries are off: the Mimecast routes' error handling is the one retry, bounded by
     * MIMECAST_MAX_ATTEMPTS. It asks for no compressed answers (SIEM files are gzip anyway): the raw stream of an
     * answer stays one that can be hung up on (DeadlineInputStream), where a decompressing one would be read to its
     * end on close.
     */
    private static void configureHttp(CamelContext context, Duration timeout) {
        // by name, not class: a host that loads components when first asked (the Camel CLI) gets camel-http here
        Map<String, Object> options = Map.of("connectTimeout", timeout.toMillis(), "connectionRequestTimeout",
                timeout.toMillis(), "soTimeout", timeout.toMillis(), "responseTimeout", timeout.toMillis(),
                "automaticRetriesDisabled", true, "contentCompressionDisabled", true);
        for (String scheme : new String[] { "http", "https" }) {
            org.apache.camel.support.PropertyBindingSupport.build().withCamelContext(context)
                    .withTarget(context.getComponent(scheme)).withProperties(new LinkedHashMap<>(options))
                    .withMandatory(true).bind();
        }
    }

    private static int maxBytes() {
        return Integer.getInteger("mimecast.batch-bytes", SentinelComponent.DEFAULT_MAX_BYTES);
    }

    /** JSON as the connector writes it: ISO-8601 times. */
    public static ObjectMapper jsonMapper() {
        return JsonMapper.builder().addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
    }
}
