package com.mimecastsentinel;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.mimecastsentinel.checkpoint.BlobCheckpointStore;
import com.mimecastsentinel.checkpoint.BlobLeases;
import com.mimecastsentinel.checkpoint.FileLeases;
import com.mimecastsentinel.checkpoint.Leases;
import com.mimecastsentinel.checkpoint.PrefixedLeases;
import com.mimecastsentinel.checkpoint.CheckpointStore;
import com.mimecastsentinel.checkpoint.Checkpoints;
import com.mimecastsentinel.checkpoint.DedupeRepository;
import com.mimecastsentinel.checkpoint.FileCheckpointStore;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.deadletter.BlobDeadLetterStore;
import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.deadletter.FileDeadLetterStore;
import com.mimecastsentinel.mimecast.HmacSigner;
import com.mimecastsentinel.mimecast.MimecastAuth;
import com.mimecastsentinel.mimecast.MimecastClient;
import com.mimecastsentinel.mimecast.OAuthTokenProvider;
import com.mimecastsentinel.mimecast.RetryPolicy;
import com.mimecastsentinel.sentinel.AzureClients;
import com.mimecastsentinel.sentinel.EventSink;
import com.mimecastsentinel.sentinel.FileSink;
import com.mimecastsentinel.sentinel.LogsIngestionSink;
import com.mimecastsentinel.sentinel.RowBatcher;
import com.mimecastsentinel.simulator.MimecastSimulator;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the connector's shared beans from the settings. camel-main loads it through
 * {@code camel.main.configuration-classes} in application.properties, so {@code java -jar} and the Camel CLI
 * wire the same way. Invalid settings throw here, before any route starts.
 */
public class ConnectorConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectorConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        // also here for hosts that start Camel themselves (the Camel CLI): a no-op after Application did it
        Application.maskSecretsInLogs();
        PropertiesComponent properties = context.getPropertiesComponent();
        Settings settings = new Settings(properties::resolveProperty, System::getenv);
        ObjectMapper json = jsonMapper();
        Clock clock = Clock.systemUTC();

        URI mimecastUrl = settings.mimecastBaseUrl;
        String clientId = settings.mimecastClientId;
        String clientSecret = settings.mimecastClientSecret;
        if (settings.demo) {
            int port = properties.resolveProperty("demo.simulator-port").map(Integer::parseInt).orElse(0);
            MimecastSimulator simulator = new MimecastSimulator(port, Duration.ofMinutes(5), null);
            simulator.start();
            context.addService(simulator, true, true);
            mimecastUrl = simulator.url();
            clientId = MimecastSimulator.DEMO_CLIENT_ID;
            clientSecret = MimecastSimulator.DEMO_CLIENT_SECRET;
            LOG.warn("DEMO MODE: no Mimecast credentials are set (MIMECAST_CLIENT_ID or MIMECAST_APP_ID), so the "
                    + "connector reads generated events from the embedded Mimecast simulator at {}", mimecastUrl);
        } else if (settings.mimecastHttpHosts.contains(mimecastUrl.getHost().toLowerCase(Locale.ROOT))
                && "http".equals(mimecastUrl.getScheme())) {
            LOG.warn("Mimecast is reached over plain HTTP at {} (named in MIMECAST_ALLOW_HTTP_HOSTS): "
                    + "only for a simulator, credentials travel unencrypted", mimecastUrl);
        }

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        MimecastAuth auth = settings.usesApi2()
                ? new OAuthTokenProvider(mimecastUrl, clientId, clientSecret, http, settings.httpTimeout, clock)
                : new HmacSigner(settings.mimecastAppId, settings.mimecastAppKey, settings.mimecastAccessKey,
                        settings.mimecastSecretKey);
        ConnectorMetrics metrics = new ConnectorMetrics(clock);
        MimecastClient mimecast = new MimecastClient(mimecastUrl, auth, http,
                RetryPolicy.standard(settings.maxAttempts, settings.maxRateLimitWait), settings.httpTimeout, json)
                .withRateLimitListener(metrics::rateLimited);

        AzureClients azure = new AzureClients(settings);
        Storage storage = storage(settings, azure);
        CheckpointStore store = storage.checkpoints();
        DeadLetters.Store deadLetterStore = storage.deadLetters();
        Leases leases = storage.leases();
        if (settings.backfill()) {
            leases = new PrefixedLeases(leases, settings.checkpointNamespace().replace('/', '-'));
        }
        DeadLetters deadLetters = new DeadLetters(deadLetterStore, clock, json,
                logType -> metrics.deadLettered(logType, 1));
        DedupeRepository dedupe = new DedupeRepository();
        Checkpoints checkpoints = new Checkpoints(store, dedupe, settings.overlap, clock, json,
                settings.checkpointPatience).inNamespace(settings.checkpointNamespace());

        EventSink sink = settings.sink == Settings.SinkKind.SENTINEL
                ? new LogsIngestionSink(azure.logsIngestion(), settings.ingestionEndpoint, settings.dcrId)
                : new FileSink(settings.outputDir, json);

        context.getRegistry().bind(ConnectorServices.BEAN, new ConnectorServices(settings, mimecast, checkpoints,
                dedupe, sink, new RowBatcher(json,
                Integer.getInteger("mimecast.batch-bytes", RowBatcher.DEFAULT_MAX_BYTES)), metrics, clock, json, azure,
                deadLetters, leases));
        Map<String, ConnectorHealthCheck.Probe> probes = new LinkedHashMap<>();
        probes.put("mimecast", auth::check);
        probes.put("checkpoints", () -> store.read(".health"));
        if (settings.sink == Settings.SinkKind.SENTINEL || settings.checkpointStore == Settings.CheckpointStoreKind.BLOB
                && settings.storageAccountUrl != null) {
            probes.put("azure", () -> azure.credential().getTokenSync(new com.azure.core.credential.TokenRequestContext()
                    .addScopes("https://monitor.azure.com//.default")));
        }
        context.addStartupListener(new RunController(settings, new ConnectorHealthCheck(probes, clock)));

        LOG.info("Mimecast {} ({}), checkpoints in {}, events to {}, dead letters to {}{}", mimecastUrl,
                settings.usesApi2() ? "API 2.0" : "API 1.0", store.describe(), sink.describe(), deadLetters.describe(),
                settings.backfill() ? ", BACKFILL " + settings.backfillFrom + " to " + settings.backfillTo
                        + " (checkpoints under " + settings.checkpointNamespace() + ")"
                        : settings.runOnce ? ", RUN_ONCE" : "");
    }

    /** JSON as the connector writes it: ISO-8601 times. */
    static ObjectMapper jsonMapper() {
        return JsonMapper.builder().addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
    }

    /** Where checkpoints, dead letters and leases live: a Blob container (created when missing) or directories. */
    record Storage(CheckpointStore checkpoints, DeadLetters.Store deadLetters, Leases leases) {
    }

    static Storage storage(Settings settings, AzureClients azure) {
        if (settings.checkpointStore == Settings.CheckpointStoreKind.BLOB) {
            var container = azure.blobService().getBlobContainerClient(settings.checkpointContainer);
            return new Storage(new BlobCheckpointStore(container, settings.httpTimeout).ensureContainer(),
                    new BlobDeadLetterStore(container, settings.httpTimeout),
                    new BlobLeases(container, settings.leaseId(), settings.leaseDuration));
        }
        return new Storage(new FileCheckpointStore(settings.checkpointDir),
                new FileDeadLetterStore(settings.deadLetterDir), new FileLeases(settings.checkpointDir));
    }
}
