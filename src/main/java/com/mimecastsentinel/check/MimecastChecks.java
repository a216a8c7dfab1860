package com.mimecastsentinel.check;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mimecastsentinel.source.MimecastAccount;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.source.MimecastFailure;
import com.mimecastsentinel.source.MimecastSource;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * How the check command reads Mimecast's answers: the API generation the base URL serves, the clock against
 * Mimecast's {@code Date}, and a refused call explained in words (credentials, permission, product, region, API
 * generation), with what to do.
 */
final class MimecastChecks {
    private static final Pattern MIMECAST_URL = Pattern.compile("https://[a-z0-9.-]+\\.mimecast\\.com");
    /** The clock difference past which the check warns (the connector's own tolerance for checkpoints). */
    static final Duration SKEW_WARNING = com.mimecastsentinel.source.MimecastSource.SKEW_TOLERANCE;
    private static final ObjectMapper JSON = new ObjectMapper();

    private MimecastChecks() {
    }

    /** The credentials' API generation against the base URL's: API 1.0 keys do not work on API 2.0's gateway. */
    static CheckResult generation(Settings settings) {
        if (settings.demo) {
            return CheckResult.pass("mimecast api", "the demo: the embedded simulator (both API generations)");
        }
        return generation("mimecast api", settings.mimecastBaseUrl, settings.usesApi2(), "MIMECAST_BASE_URL",
                "MIMECAST_CLIENT_ID and MIMECAST_CLIENT_SECRET", "MIMECAST_APP_ID, MIMECAST_APP_KEY, "
                        + "MIMECAST_ACCESS_KEY and MIMECAST_SECRET_KEY");
    }

    /** A declared account's generation against its base URL's host. */
    static CheckResult generation(MimecastAccount account) {
        return generation("mimecast api " + account.qualify("").replaceAll("/$", ""), URI.create(account.baseUrl()),
                account.auth().api2(), "its baseUrl (or region) in MIMECAST_ACCOUNTS_FILE",
                "clientId and clientSecretFile (api \"2.0\")", "appId and the key files (api \"1.0\")");
    }

    private static CheckResult generation(String check, URI baseUrl, boolean api2, String url, String api2Credentials,
            String api1Credentials) {
        String host = baseUrl.getHost();
        if (api2 && com.mimecastsentinel.config.MimecastRegions.isApi1Host(host)) {
            return CheckResult.fail(check, baseUrl + " is an API 1.0 host, but the credentials are API 2.0", "set "
                    + url + " to " + Settings.DEFAULT_MIMECAST_URL + ", or use API 1.0 credentials (" + api1Credentials
                    + ")");
        }
        if (!api2 && com.mimecastsentinel.config.MimecastRegions.isApi2Host(host)) {
            return CheckResult.fail(check, baseUrl + " is an API 2.0 host, but the credentials are API 1.0", "set "
                    + url + " to the account's regional API 1.0 host (https://<region>-api.mimecast.com: "
                    + String.join(", ", com.mimecastsentinel.config.MimecastRegions.API1) + "), or use API 2.0 "
                    + "credentials (" + api2Credentials + ")");
        }
        return CheckResult.pass(check, "API " + (api2 ? "2.0 (client credentials)" : "1.0 (signed requests)") + " at "
                + baseUrl);
    }

    /**
     * This machine's clock against Mimecast's ({@code Date} of an answer). Ahead by more than MIMECAST_OVERLAP, a
     * run's windows end after Mimecast's now and the next one starts past events still to come: they would be lost.
     */
    static CheckResult clock(Instant mimecast, Instant local, Settings settings) {
        if (mimecast == null) {
            return CheckResult.skip("clock", "no Mimecast answer carried a Date header to compare with");
        }
        Duration ahead = Duration.between(mimecast, local);
        String difference = "this machine's clock is " + Math.abs(ahead.getSeconds()) + " s "
                + (ahead.isNegative() ? "behind" : "ahead of") + " Mimecast's";
        if (ahead.compareTo(settings.overlap) > 0) {
            return CheckResult.fail("clock", difference + ", more than MIMECAST_OVERLAP (" + settings.overlap + "): "
                    + "windows would end in Mimecast's future and events indexed later be skipped", "synchronise "
                    + "this machine's clock (NTP)");
        }
        if (ahead.abs().compareTo(SKEW_WARNING) > 0) {
            return CheckResult.warn("clock", difference, "synchronise this machine's clock (NTP): API 1.0 signs each "
                    + "request with it, and windows are cut by it");
        }
        return CheckResult.pass("clock", difference + " (within " + SKEW_WARNING.toSeconds() + " s)");
    }

    /** The {@code Date} of an answer (RFC 1123), or null. */
    static Instant date(String header) {
        if (header == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The {@code Date} header of a refused call's answer, or null. */
    static String date(Throwable failure) {
        HttpOperationFailedException http = find(failure, HttpOperationFailedException.class);
        if (http == null || http.getResponseHeaders() == null) {
            return null;
        }
        return http.getResponseHeaders().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("Date"))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /**
     * Whether Mimecast took an API 1.0 call's signature, from its failure: not when it answered 401 or 418; yes when
     * it judged the call itself (403: a permission or product; a failure inside a 200); null for any other answer
     * (a 404, 429 or 5xx can come before the signature is looked at) or none.
     */
    static Boolean signatureTaken(Throwable failure) {
        HttpOperationFailedException http = find(failure, HttpOperationFailedException.class);
        MimecastFailure mimecast = find(failure, MimecastFailure.class);
        int status = http != null ? http.getStatusCode() : mimecast != null ? mimecast.status() : 0;
        return status == 401 || status == 418 ? Boolean.FALSE
                : status == 403 || status == 200 ? Boolean.TRUE : null;
    }

    /** The OAuth token request failed: the client id and secret, or the way to Mimecast. */
    static CheckResult credentials(String check, Throwable failure, MimecastAccount account, Settings settings) {
        if (find(failure, MimecastFailure.CredentialsRefused.class) != null) {
            return CheckResult.fail(check, AzureChecks.firstLine(failure), check.contains(
                    MimecastAccount.NAMESPACE) ? "check the account's clientId and "
                    + "clientSecretFile in MIMECAST_ACCOUNTS_FILE: an API 2.0 application's, not revoked"
                    : "check MIMECAST_CLIENT_ID and MIMECAST_CLIENT_SECRET: the client id and secret of an API 2.0 "
                    + "application (Mimecast Administration Console, API and Platform Integrations), not revoked");
        }
        return explain(check, failure, null, "/oauth/token", account, settings);
    }

    /**
     * What a fix names for an account: the MIMECAST_* settings, or a declared account's entry in
     * MIMECAST_ACCOUNTS_FILE.
     */
    private record Names(URI baseUrl, boolean api2, String url, String api2Credentials, String api1Credentials,
            String api1Keys, String logTypes) {

        static Names of(MimecastAccount account, Settings settings) {
            if (account == null || account.name() == null) {
                return new Names(settings.mimecastBaseUrl, settings.usesApi2(), "MIMECAST_BASE_URL",
                        "MIMECAST_CLIENT_ID and MIMECAST_CLIENT_SECRET", "MIMECAST_APP_ID, MIMECAST_APP_KEY, "
                                + "MIMECAST_ACCESS_KEY and MIMECAST_SECRET_KEY", "MIMECAST_ACCESS_KEY and "
                                + "MIMECAST_SECRET_KEY", "MIMECAST_LOG_TYPES");
            }
            String entry = "of account '" + account.name() + "' in MIMECAST_ACCOUNTS_FILE";
            return new Names(URI.create(account.baseUrl()), account.auth().api2(), "the baseUrl (or region) " + entry,
                    "the clientId and clientSecretFile " + entry, "the appId and key files " + entry,
                    "the accessKeyFile and secretKeyFile " + entry, "the logTypes " + entry);
        }
    }

    /**
     * A refused Mimecast call in words: what it means and what to do.
     *
     * @param source the log type's source (its permission), or null
     */
    static CheckResult explain(String check, Throwable failure, MimecastSource source, String path,
            MimecastAccount account, Settings settings) {
        if (find(failure, MimecastFailure.CredentialsRefused.class) != null) {
            return credentials(check, failure, account, settings);
        }
        Names names = Names.of(account, settings);
        HttpOperationFailedException http = find(failure, HttpOperationFailedException.class);
        MimecastFailure mimecast = find(failure, MimecastFailure.class);
        int status = http != null ? http.getStatusCode() : mimecast != null ? mimecast.status() : 0;
        String body = http != null && http.getResponseBody() != null ? http.getResponseBody() : "";
        List<String> codes = new ArrayList<>(mimecast != null ? mimecast.codes() : List.of());
        String message = codes(body, codes);
        String answer = (status > 0 ? "HTTP " + status : "") + (codes.isEmpty() ? "" : " " + codes)
                + (message.isEmpty() ? "" : ": " + message);
        String permission = source != null && source.getPermission() != null ? "'" + source.getPermission() + "'"
                : "the one the log type needs (docs/configuration.md, log types)";
        String text = (body + " " + message).toLowerCase(Locale.ROOT);
        Matcher otherHost = MIMECAST_URL.matcher(body + " " + message);
        boolean namesOtherHost = otherHost.find() && !otherHost.group().equalsIgnoreCase(
                names.baseUrl().getScheme() + "://" + names.baseUrl().getHost());
        if (status == 418) {
            return CheckResult.fail(check, "Mimecast says the API 1.0 access key's binding expired (" + answer + ")",
                    "create a new access key and secret key for the API user (Mimecast Administration Console, API "
                            + "applications) and set " + names.api1Keys());
        }
        // a code about the region, or an answer naming another Mimecast host as the account's
        if (codes.stream().anyMatch(code -> code.toLowerCase(Locale.ROOT).contains("region"))
                || namesOtherHost && text.contains("region")) {
            return CheckResult.fail(check, "Mimecast says the account is in another region than "
                    + names.baseUrl() + " (" + answer + ")", "set " + names.url() + " to "
                    + (namesOtherHost ? otherHost.group()
                            : "the account's regional host (https://<region>-api.mimecast.com)"));
        }
        if (status == 401) {
            return CheckResult.fail(check, "Mimecast refused the credentials of the call to " + path + " (" + answer + ")",
                    names.api2() ? "check that the API 2.0 application is enabled and " + names.api2Credentials()
                            + " are its current ones"
                            : "check " + names.api1Credentials() + " (as the console shows them) and this machine's "
                                    + "clock");
        }
        if (status == 403) {
            if (codes.contains("app_forbidden") || text.contains("product")) {
                return CheckResult.fail(check, "the API application has no product that serves " + path + " ("
                        + answer + ")", "add the product that serves this log type to the API application in the "
                        + "Mimecast Administration Console (" + permission + "), or leave the log type out of "
                        + names.logTypes());
            }
            return CheckResult.fail(check, "Mimecast refused " + path + " for want of a permission (" + answer + ")",
                    "grant the API user's role the permission " + permission);
        }
        if (status == 404) {
            return CheckResult.fail(check, path + " is not found at " + names.baseUrl() + " (" + answer + ")",
                    names.url() + " serves another API generation or region: API 2.0 is at "
                            + Settings.DEFAULT_MIMECAST_URL + ", API 1.0 at https://<region>-api.mimecast.com");
        }
        if (status == 429) {
            return CheckResult.warn(check, "Mimecast is rate limiting this application right now (" + answer + ")",
                    "run check again later; a run waits as X-RateLimit-Reset says");
        }
        if (status >= 500) {
            return CheckResult.fail(check, "Mimecast answered " + answer, "Mimecast is failing: run check again later");
        }
        if (http == null && mimecast == null && find(failure, IOException.class) != null) {
            return CheckResult.fail(check, "no answer from " + names.baseUrl() + " ("
                    + AzureChecks.firstLine(find(failure, IOException.class)) + ")", "check " + names.url() + ", DNS, "
                    + "the firewall and the proxy (camel.component.https.proxy-host)");
        }
        return CheckResult.fail(check, "Mimecast refused " + path + " (" + (answer.isBlank()
                ? AzureChecks.firstLine(failure) : answer) + ")", "check the permission " + permission
                + " and Mimecast's error code");
    }

    /** Mimecast's error codes in a refused answer's body (fail[].errors[].code, error.code), and their message. */
    private static String codes(String body, List<String> codes) {
        if (body.isBlank()) {
            return "";
        }
        try {
            JsonNode answer = JSON.readTree(body); // at most 4 KiB: MimecastAnswer keeps no more of a refusal
            List<String> messages = new ArrayList<>();
            for (JsonNode item : answer.path("fail")) {
                for (JsonNode error : item.path("errors")) {
                    add(codes, error.path("code").asText(null));
                    messages.add(error.path("message").asText(""));
                }
            }
            JsonNode error = answer.path("error");
            if (error.isObject()) {
                add(codes, error.path("code").asText(null));
                messages.add(error.path("message").asText(""));
            } else if (error.isTextual()) {
                add(codes, error.asText());
            }
            if (answer.path("message").isTextual()) {
                messages.add(answer.path("message").asText());
            }
            String text = String.join("; ", messages.stream().filter(m -> !m.isBlank()).toList());
            return text.length() > 300 ? text.substring(0, 300) + "…" : text;
        } catch (IOException e) {
            return "";
        }
    }

    /** At most a few codes, each of a code's length: what an answer says is bounded before it is shown. */
    private static void add(List<String> codes, String code) {
        if (code != null && !code.isBlank() && codes.size() < 5) {
            String bounded = code.length() > 64 ? code.substring(0, 64) + "…" : code;
            if (!codes.contains(bounded)) {
                codes.add(bounded);
            }
        }
    }

    /** The innermost cause: what went wrong, not the wrapping of it. */
    static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }
}
