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
        if (trimmed.matches("\\d{10}")) {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(trimmed))); // epoch seconds
        }
        if (trimmed.matches("\\d{11,16}")) {
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
