package com.mimecastsentinel.transform;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/** Mimecast times: {@code 2024-05-01T10:00:00+0000}, RFC 3339 ({@code ...Z}, {@code +00:00}) or epoch milliseconds. */
public final class EventTimes {
    /** The filter format the Mimecast API documents for date ranges. */
    public static final DateTimeFormatter MIMECAST =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ").withZone(ZoneOffset.UTC);

    private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter();

    private static final java.util.regex.Pattern EPOCH_SECONDS = java.util.regex.Pattern.compile("\\d{10}");
    private static final java.util.regex.Pattern EPOCH_MILLIS = java.util.regex.Pattern.compile("\\d{11,16}");

    private EventTimes() {
    }

    public static Optional<Instant> parse(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        if (value.isNumber()) {
            return Optional.of(Instant.ofEpochMilli(value.asLong()));
        }
        return parse(value.asText());
    }

    public static Optional<Instant> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String trimmed = text.trim();
        if (trimmed.length() >= 20 && trimmed.charAt(trimmed.length() - 1) == 'Z' && trimmed.charAt(10) == 'T') {
            try {
                return Optional.of(Instant.parse(trimmed)); // the common case, and TimeGenerated: ISO-8601 UTC
            } catch (DateTimeParseException e) {
                // one of the forms below
            }
        }
        if (EPOCH_SECONDS.matcher(trimmed).matches()) {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(trimmed))); // epoch seconds
        }
        if (EPOCH_MILLIS.matcher(trimmed).matches()) {
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(trimmed)));
        }
        try {
            return Optional.of(OffsetDateTime.parse(trimmed, LENIENT).toInstant());
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(Instant.parse(trimmed));
            } catch (DateTimeParseException again) {
                return Optional.empty();
            }
        }
    }

    public static String mimecastFormat(Instant instant) {
        return MIMECAST.format(instant);
    }
}
