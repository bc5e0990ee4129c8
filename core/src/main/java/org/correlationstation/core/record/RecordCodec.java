package org.correlationstation.core.record;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The one JSON codec of the correlation record, shared by the job's sinks and the query API: snake_case,
 * every field present (nulls included), fixed order.
 */
public final class RecordCodec {
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS)
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.PUBLIC_ONLY)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private RecordCodec() {}

    public static String toJson(CorrelationRecord record) {
        try {
            return MAPPER.writeValueAsString(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] toJsonBytes(CorrelationRecord record) {
        return toJson(record).getBytes(StandardCharsets.UTF_8);
    }

    public static CorrelationRecord fromJson(String json) {
        try {
            return MAPPER.readValue(json, CorrelationRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a correlation record: " + e.getMessage(), e);
        }
    }

    /** RFC 3339 with milliseconds in UTC, as every record time is written. */
    public static String formatTime(long epochMillis) {
        return ISO_MILLIS.format(Instant.ofEpochMilli(epochMillis));
    }

    public static long parseTime(String rfc3339) {
        return Instant.parse(rfc3339).toEpochMilli();
    }
}
