package com.mimecastsentinel.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventTimesTest {

    @ParameterizedTest
    @CsvSource({
        "2024-05-01T10:00:00Z,             2024-05-01T10:00:00Z",
        "2024-05-01T10:00:00.123456789Z,   2024-05-01T10:00:00.123456789Z",
        "2024-05-01T10:00:00+0000,         2024-05-01T10:00:00Z",
        "2024-05-01T12:00:00+02:00,        2024-05-01T10:00:00Z",
        "2024-05-01T10:00:00.5+0000,       2024-05-01T10:00:00.500Z",
        "1714557600,                       2024-05-01T10:00:00Z",
        "1714557600000,                    2024-05-01T10:00:00Z",
    })
    void everyFormMimecastUsesAndTimeGenerated(String text, String expected) {
        assertEquals(Optional.of(Instant.parse(expected)), EventTimes.parse(text));
    }

    @ParameterizedTest
    @CsvSource({ "yesterday", "2024-13-01T10:00:00Z", "12345", "''" })
    void anythingElseIsNoTime(String text) {
        assertTrue(EventTimes.parse(text).isEmpty());
    }
}
