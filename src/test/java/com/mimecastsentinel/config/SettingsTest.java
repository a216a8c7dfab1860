package com.mimecastsentinel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    private final Map<String, String> properties = new HashMap<>();
    private final Map<String, String> environment = new HashMap<>();

    private Settings settings() {
        return new Settings(key -> Optional.ofNullable(properties.get(key)), environment::get);
    }

    private void production() {
        properties.put("mimecast.client-id", "id");
        properties.put("mimecast.client-secret", "very-secret-value");
        properties.put("sentinel.ingestion-endpoint", "https://dce.example.ingest.monitor.azure.com");
        properties.put("sentinel.dcr-id", "dcr-0123");
        properties.put("azure.storage.account-url", "https://acct.blob.core.windows.net");
    }

    private ConfigurationException rejected() {
        return assertThrows(ConfigurationException.class, this::settings);
    }

    @Test
    void noCredentialsMeansDemoWithLocalFiles() {
        Settings settings = settings();
        assertTrue(settings.demo);
        assertEquals(Settings.SinkKind.FILE, settings.sink);
        assertEquals(Settings.CheckpointStoreKind.FILE, settings.checkpointStore);
        assertEquals("0 0/10 * * * ?", settings.schedule);
        assertEquals(List.of(), settings.logTypes);
    }

    @Test
    void productionDefaults() {
        production();
        Settings settings = settings();
        assertFalse(settings.demo);
        assertEquals(Settings.SinkKind.SENTINEL, settings.sink);
        assertEquals(Settings.CheckpointStoreKind.BLOB, settings.checkpointStore);
        assertEquals("mimecast-checkpoints", settings.checkpointContainer);
        assertEquals("https://api.services.mimecast.com", settings.mimecastBaseUrl.toString());
    }

    @Test
    void errorsNameTheVariableAndNeverTheSecret() {
        production();
        properties.remove("sentinel.dcr-id");
        ConfigurationException e = rejected();
        assertEquals("SENTINEL_DCR_ID", e.setting());
        assertFalse(e.getMessage().contains("very-secret-value"));

        production();
        properties.put("mimecast.app-id", "legacy");
        assertEquals("MIMECAST_CLIENT_ID", rejected().setting(), "conflicting credentials");
    }

    @Test
    void startDateIsADayOrAnInstant() {
        properties.put("start-date", "2026-11-01");
        assertEquals(java.time.Instant.parse("2026-11-01T00:00:00Z"), settings().startDate);
        properties.put("start-date", "2026-11-30T14:05:10+01:00");
        assertEquals(java.time.Instant.parse("2026-11-30T13:05:10Z"), settings().startDate,
                "the newest event another collector delivered, to the second");
    }

    @Test
    void badValuesAreRejected() {
        Map<String, String> bad = Map.of("schedule", "SCHEDULE", "start-date", "START_DATE",
                "mimecast.base-url", "MIMECAST_BASE_URL", "sink", "SINK", "run-once", "RUN_ONCE",
                "mimecast.page-size", "MIMECAST_PAGE_SIZE", "mimecast.overlap", "MIMECAST_OVERLAP");
        bad.forEach((key, variable) -> {
            properties.clear();
            properties.put(key, key.equals("mimecast.base-url") ? "http://mimecast.example.com" : "nonsense");
            assertEquals(variable, rejected().setting(), key);
        });
    }

    @Test
    void plainHttpOnlyToLoopbackOrExplicitlyNamedHostsAndNeverToMimecast() {
        production();
        properties.put("mimecast.base-url", "http://127.0.0.1:8080");
        assertEquals("http://127.0.0.1:8080", settings().mimecastBaseUrl.toString(), "loopback");
        properties.put("mimecast.base-url", "http://simulator:8080/");
        assertEquals("MIMECAST_BASE_URL", rejected().setting(), "a host nobody named");
        properties.put("mimecast.allow-http-hosts", " Simulator , other");
        assertEquals("http://simulator:8080", settings().mimecastBaseUrl.toString(), "named");
        assertEquals(List.of("simulator", "other"), settings().mimecastHttpHosts);
        properties.put("mimecast.base-url", "http://simulator.example:8080");
        assertEquals("MIMECAST_BASE_URL", rejected().setting(), "exact names only");
        properties.put("mimecast.base-url", "ftp://simulator:8080");
        assertEquals("MIMECAST_BASE_URL", rejected().setting(), "http or https only");
        properties.put("mimecast.base-url", "https://simulator:8443");
        assertEquals("https://simulator:8443", settings().mimecastBaseUrl.toString());

        for (String host : List.of("api.services.mimecast.com", "EU-API.Mimecast.com", "mimecast.com",
                "uk-api.mimecast-offshore.com")) {
            properties.put("mimecast.allow-http-hosts", "simulator," + host);
            ConfigurationException e = rejected();
            assertEquals("MIMECAST_ALLOW_HTTP_HOSTS", e.setting(), host);
            assertTrue(e.getMessage().contains("https"), e.getMessage());
        }
        for (String entry : List.of("http://simulator", "simulator:8080", "*.example.com", "sim ulator")) {
            properties.put("mimecast.allow-http-hosts", entry);
            assertEquals("MIMECAST_ALLOW_HTTP_HOSTS", rejected().setting(), entry);
        }
        properties.remove("mimecast.allow-http-hosts");
        properties.put("mimecast.base-url", "http://api.services.mimecast.com");
        assertEquals("MIMECAST_BASE_URL", rejected().setting());
    }

    @Test
    void loopbackMeansLocalhostOrALoopbackAddressNotADnsNameThatLooksLikeOne() {
        production();
        properties.put("mimecast.base-url", "http://localhost:8080");
        assertEquals("http://localhost:8080", settings().mimecastBaseUrl.toString());
        properties.put("mimecast.base-url", "http://[::1]:8080");
        assertEquals("http://[::1]:8080", settings().mimecastBaseUrl.toString());
        for (String url : List.of("http://127.attacker.example:8080", "http://127.0.0.1.nip.io", "http://2130706433")) {
            properties.put("mimecast.base-url", url);
            assertEquals("MIMECAST_BASE_URL", rejected().setting(), url);
        }
    }

    @Test
    void azureTokensAndSecretsGoToAzureDomainsOrHostsNamedForThem() {
        Map<String, String> endpoints = Map.of("sentinel.ingestion-endpoint", "SENTINEL_INGESTION_ENDPOINT",
                "sentinel.ti-endpoint", "SENTINEL_TI_ENDPOINT", "azure.storage.account-url", "AZURE_STORAGE_ACCOUNT_URL",
                "azure.authority-host", "AZURE_AUTHORITY_HOST");
        Map<String, String> good = Map.of("sentinel.ingestion-endpoint",
                "https://my-dcr-abcd.westeurope-1.ingest.monitor.azure.com", "sentinel.ti-endpoint",
                "https://api.ti.sentinel.azure.us", "azure.storage.account-url", "https://acct.blob.core.chinacloudapi.cn",
                "azure.authority-host", "https://login.microsoftonline.us");
        endpoints.forEach((key, variable) -> {
            properties.clear();
            production();
            properties.put(key, good.get(key));
            settings(); // public and sovereign clouds
            for (String url : List.of("https://collector.example.com", "https://ingest.monitor.azure.com.evil.example",
                    "http://my-dcr.westeurope-1.ingest.monitor.azure.com", "https://127.0.0.1",
                    "https://user:pw@acct.blob.core.windows.net", "https://acct.blob.core.windows.net:8443")) {
                properties.put(key, url);
                assertEquals(variable, rejected().setting(), key + " = " + url);
            }
            properties.put(key, "https://localhost:8443");
            assertEquals(variable, rejected().setting(), "a fake, not named");
            properties.put("azure.allow-hosts", "localhost");
            settings(); // named: the tests' fakes
            properties.put("azure.allow-hosts", "localhost:8443");
            assertEquals("AZURE_ALLOW_HOSTS", rejected().setting(), "host names only");
        });
    }

    @Test
    void azureCloudSetsTheEndpointsAndAnEndpointOfAnotherCloudIsRefusedNamingIt() {
        production();
        Settings publicCloud = settings();
        assertEquals(AzureCloud.PUBLIC, publicCloud.azureCloud);
        assertEquals("https://management.azure.com", publicCloud.resourceManagerEndpoint);
        assertEquals("https://api.ti.sentinel.azure.com", publicCloud.threatIntelEndpoint);

        properties.put("azure.cloud", "AzureUSGovernment");
        ConfigurationException mismatch = rejected();
        assertEquals("AZURE_CLOUD", mismatch.setting());
        assertTrue(mismatch.getMessage().contains("SENTINEL_INGESTION_ENDPOINT is in AzureCloud"),
                mismatch.getMessage());

        properties.put("sentinel.ingestion-endpoint", "https://my-dcr-abcd.usgovvirginia-1.ingest.monitor.azure.us");
        properties.put("azure.storage.account-url", "https://acct.blob.core.usgovcloudapi.net");
        Settings government = settings();
        assertEquals(AzureCloud.US_GOVERNMENT, government.azureCloud);
        assertEquals("https://management.usgovcloudapi.net", government.resourceManagerEndpoint);
        assertEquals(null, government.threatIntelEndpoint, "no documented STIX endpoint there: set it");
        assertEquals("https://monitor.azure.us//.default",
                government.azureCloud.scope("https://monitor.azure.com//.default"), "the Logs Ingestion audience");
        assertEquals("https://storage.azure.com/.default",
                government.azureCloud.scope("https://storage.azure.com/.default"), "other scopes as asked");

        properties.put("azure.cloud", "AzureGermany");
        assertEquals("AZURE_CLOUD", rejected().setting());
    }

    @Test
    void boundsOfWhatMimecastSendsAreSizes() {
        Settings defaults = settings();
        assertEquals(4 << 20, defaults.maxLineBytes);
        assertEquals(32 << 20, defaults.maxAnswerBytes);
        assertEquals(4L << 30, defaults.maxFileBytes);
        assertEquals(200, defaults.maxInflateRatio);
        properties.put("mimecast.max-line-bytes", "512KiB");
        properties.put("mimecast.max-file-bytes", "1 GB");
        properties.put("mimecast.max-answer-bytes", "1048576");
        Settings set = settings();
        assertEquals(512 << 10, set.maxLineBytes);
        assertEquals(1L << 30, set.maxFileBytes);
        assertEquals(1 << 20, set.maxAnswerBytes);
        for (String bad : List.of("4 megabytes", "-1", "0", "999GiB")) {
            properties.put("mimecast.max-line-bytes", bad);
            assertEquals("MIMECAST_MAX_LINE_BYTES", rejected().setting(), bad);
        }
    }

    @Test
    void perLogTypeScheduleOverridesTheDefault() {
        properties.put("schedule.audit", "0 0/5 * * * ?");
        Settings settings = settings();
        assertEquals("0 0/5 * * * ?", settings.scheduleFor("audit"));
        assertEquals("0 0/10 * * * ?", settings.scheduleFor("dlp"));
        properties.put("schedule.ttp-url", "61 * * * * ?");
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> settings().scheduleFor("ttp-url"));
        assertEquals("SCHEDULE_TTP_URL", e.setting());
    }

    @Test
    void awarenessTrainingHasItsOwnScheduleSnapshotIntervalAndDcr() {
        assertEquals("0 5 * * * ?", settings().scheduleFor("awareness-watchlist"), "hourly by default");
        assertEquals(java.time.Duration.ofDays(1), settings().awarenessSnapshotInterval);
        properties.put("awareness.schedule", "0 0 0/6 * * ?");
        assertEquals("0 0 0/6 * * ?", settings().scheduleFor("awareness-user-data"));
        assertEquals("0 0/10 * * * ?", settings().scheduleFor("audit"), "the others keep SCHEDULE");
        properties.put("awareness.schedule", "every hour");
        assertEquals("SCHEDULE_AWARENESS", assertThrows(ConfigurationException.class,
                () -> settings().scheduleFor("awareness-user-data")).setting());
        properties.clear();
        properties.put("awareness.snapshot-interval", "daily");
        assertEquals("AWARENESS_SNAPSHOT_INTERVAL", rejected().setting());

        properties.clear();
        production();
        properties.put("sentinel.awareness-dcr-id", "dcr-0456");
        assertEquals("SENTINEL_AWARENESS_INGESTION_ENDPOINT", rejected().setting(), "a DCR without its endpoint");
        properties.put("sentinel.awareness-ingestion-endpoint", "http://dcr.example.ingest.monitor.azure.com");
        assertEquals("SENTINEL_AWARENESS_INGESTION_ENDPOINT", rejected().setting(), "https only");
        properties.put("sentinel.awareness-ingestion-endpoint", "https://dcr.example.ingest.monitor.azure.com");
        properties.put("sentinel.awareness-dcr-id", "0456");
        assertEquals("SENTINEL_AWARENESS_DCR_ID", rejected().setting(), "an immutable id");
        properties.put("sentinel.awareness-dcr-id", "dcr-0456");
        assertEquals("dcr-0456", settings().awarenessDcrId);
    }

    @Test
    void secretsCanComeFromFiles(@TempDir Path dir) throws Exception {
        production();
        properties.remove("mimecast.client-secret");
        Path file = dir.resolve("secret");
        Files.writeString(file, "from-file\n");
        environment.put("MIMECAST_CLIENT_SECRET_FILE", file.toString());
        assertEquals("from-file", settings().mimecastClientSecret);

        environment.put("MIMECAST_CLIENT_SECRET_FILE", dir.resolve("missing").toString());
        assertEquals("MIMECAST_CLIENT_SECRET_FILE", rejected().setting());
    }

    @Test
    void logTypesAreACommaList() {
        properties.put("mimecast.log-types", " audit, DLP ,,audit");
        assertEquals(List.of("audit", "dlp"), settings().logTypes);
    }
}
