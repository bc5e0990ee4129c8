package org.correlationstation.connectors.export;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** The HTTP {@code Retry-After} header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
public final class RetryAfter {
    private static final Duration MAX = Duration.ofMinutes(10);

    private RetryAfter() {}

    public static Optional<Duration> parse(String header, long nowMillis) {
        if (header == null || header.isBlank()) return Optional.empty();
        String value = header.trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? Optional.empty() : Optional.of(cap(Duration.ofSeconds(seconds)));
        } catch (NumberFormatException notSeconds) {
            try {
                long at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                return Optional.of(cap(Duration.ofMillis(Math.max(0, at - nowMillis))));
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    /** A backend asking for more than ten minutes is capped: the circuit breaker handles long outages. */
    private static Duration cap(Duration d) {
        return d.compareTo(MAX) > 0 ? MAX : d;
    }
}
