package org.correlationstation.core.record;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * The one JSON codec of the correlation record, shared by the job's sinks and the query API: snake_case,
 * every field present (nulls included), fixed order.
 */
public final class RecordCodec {
    /** The two fields every write of a record changes, as {@link #toJson} writes their keys. */
    private static final byte[] VERSION_KEY = "\"version\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UPDATED_AT_KEY = "\"updated_at\":".getBytes(StandardCharsets.US_ASCII);
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS)
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.PUBLIC_ONLY)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private RecordCodec() {}

    private static final JsonFactory FACTORY = MAPPER.getFactory();

    /**
     * The record's JSON (SPEC §4): the properties of {@link CorrelationRecord}'s {@code @JsonPropertyOrder},
     * written with Jackson's streaming generator rather than by data binding (every emitted record is
     * encoded once by the Redis sink; binding profiled at a tenth of the correlator's time).
     * {@code RecordJsonTest} checks it byte for byte against the data-bound encoding.
     */
    public static String toJson(CorrelationRecord r) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("schema_version", r.schemaVersion);
            g.writeStringField("correlation_id", r.correlationId);
            g.writeStringField("trace_id", r.traceId);
            g.writeStringField("legacy_trace_id", r.legacyTraceId);
            g.writeStringField("status", r.status);
            g.writeNumberField("version", r.version);
            g.writeStringField("first_seen", r.firstSeen);
            g.writeStringField("last_seen", r.lastSeen);
            g.writeNumberField("duration_ms", r.durationMs);
            g.writeFieldName("root");
            if (r.root == null) {
                g.writeNull();
            } else {
                g.writeStartObject();
                g.writeStringField("service", r.root.service);
                g.writeStringField("operation", r.root.operation);
                g.writeStringField("span_id", r.root.spanId);
                g.writeEndObject();
            }
            g.writeStringField("service", r.service);
            g.writeFieldName("services");
            if (r.services == null) {
                g.writeNull();
            } else {
                g.writeStartArray();
                for (String service : r.services) g.writeString(service);
                g.writeEndArray();
            }
            g.writeStringField("env", r.env);
            g.writeNumberField("span_count", r.spanCount);
            g.writeNumberField("log_count", r.logCount);
            g.writeNumberField("error_span_count", r.errorSpanCount);
            g.writeNumberField("error_log_count", r.errorLogCount);
            g.writeStringField("max_severity", r.maxSeverity);
            g.writeBooleanField("has_error", r.hasError);
            g.writeFieldName("edges");
            if (r.edges == null) {
                g.writeNull();
            } else {
                g.writeStartArray();
                for (CorrelationRecord.Edge e : r.edges) {
                    g.writeStartObject();
                    g.writeStringField("parent", e.parent);
                    g.writeStringField("child", e.child);
                    g.writeNumberField("calls", e.calls);
                    g.writeNumberField("errors", e.errors);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeFieldName("links");
            if (r.links == null) {
                g.writeNull();
            } else {
                g.writeStartArray();
                for (CorrelationRecord.Link l : r.links) {
                    g.writeStartObject();
                    g.writeStringField("span_id", l.spanId);
                    g.writeStringField("span_name", l.spanName);
                    g.writeStringField("service", l.service);
                    g.writeNumberField("log_count", l.logCount);
                    g.writeNumberField("inferred_log_count", l.inferredLogCount);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeNumberField("late_events", r.lateEvents);
            g.writeBooleanField("truncated", r.truncated);
            g.writeStringField("updated_at", r.updatedAt);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The data-bound encoding {@link #toJson} must equal (for its test). */
    static String toJsonByBinding(CorrelationRecord record) {
        try {
            return MAPPER.writeValueAsString(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] toJsonBytes(CorrelationRecord record) {
        return toJson(record).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Whether two records as {@link #toJsonBytes} wrote them say the same apart from {@code version} and
     * {@code updated_at}: a compare-and-set's "changed", without decoding either. The fields come in a
     * fixed order and quotes inside strings are escaped, so the first {@code "version":} is the top-level
     * field (it precedes every nested object) and the last {@code "updated_at":} the last field, as the
     * Redis writer's script finds them ({@code cas_record.lua}). Records written otherwise differ.
     */
    public static boolean sameContent(byte[] a, byte[] b) {
        int[] fa = variableFields(a);
        int[] fb = variableFields(b);
        if (fa == null || fb == null) return false;
        return Arrays.equals(a, 0, fa[0], b, 0, fb[0])
                && Arrays.equals(a, fa[1], fa[2], b, fb[1], fb[2])
                && Arrays.equals(a, fa[3], a.length, b, fb[3], b.length);
    }

    /** The record {@code json} ({@link #toJsonBytes}) with {@code version} as its version. */
    public static byte[] withVersion(byte[] json, long version) {
        int[] f = variableFields(json);
        if (f == null) throw new IllegalArgumentException("not a record as RecordCodec writes it");
        byte[] digits = Long.toString(version).getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[json.length - (f[1] - f[0]) + digits.length];
        System.arraycopy(json, 0, out, 0, f[0]);
        System.arraycopy(digits, 0, out, f[0], digits.length);
        System.arraycopy(json, f[1], out, f[0] + digits.length, json.length - f[1]);
        return out;
    }

    /** Where the version's value starts and ends, and the updated_at value starts and ends; null if absent. */
    private static int[] variableFields(byte[] json) {
        int version = indexOf(json, VERSION_KEY);
        if (version < 0) return null;
        int versionStart = version + VERSION_KEY.length;
        int versionEnd = versionStart;
        while (versionEnd < json.length && json[versionEnd] != ',' && json[versionEnd] != '}') versionEnd++;
        int updatedAt = lastIndexOf(json, UPDATED_AT_KEY);
        if (updatedAt < versionEnd || json.length == 0 || json[json.length - 1] != '}') return null;
        return new int[] {versionStart, versionEnd, updatedAt + UPDATED_AT_KEY.length, json.length - 1};
    }

    private static int indexOf(byte[] json, byte[] key) {
        outer:
        for (int i = 0; i <= json.length - key.length; i++) {
            for (int k = 0; k < key.length; k++) {
                if (json[i + k] != key[k]) continue outer;
            }
            return i;
        }
        return -1;
    }

    private static int lastIndexOf(byte[] json, byte[] key) {
        outer:
        for (int i = json.length - key.length; i >= 0; i--) {
            for (int k = 0; k < key.length; k++) {
                if (json[i + k] != key[k]) continue outer;
            }
            return i;
        }
        return -1;
    }

    public static CorrelationRecord fromJson(String json) {
        try {
            return MAPPER.readValue(json, CorrelationRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a correlation record: " + e.getMessage(), e);
        }
    }

    /** As {@link #fromJson(String)}, from UTF-8 bytes (what {@link #toJsonBytes} wrote). */
    public static CorrelationRecord fromJson(byte[] json) {
        try {
            return MAPPER.readValue(json, CorrelationRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a correlation record: " + e.getMessage(), e);
        }
    }

    /**
     * RFC 3339 with milliseconds in UTC, as every record time is written. Written by hand for the years
     * 1–9999 (every record is formatted at least twice per emission; the formatter profiled at 4% of
     * the correlator's time); other years by the formatter.
     */
    public static String formatTime(long epochMillis) {
        long day = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        LocalDate date = LocalDate.ofEpochDay(day);
        int year = date.getYear();
        if (year < 1 || year > 9999) return ISO_MILLIS.format(Instant.ofEpochMilli(epochMillis));
        int ms = (int) Math.floorMod(epochMillis, MILLIS_PER_DAY);
        char[] c = new char[24];
        digits(c, 0, year, 4);
        c[4] = '-';
        digits(c, 5, date.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, date.getDayOfMonth(), 2);
        c[10] = 'T';
        digits(c, 11, ms / 3_600_000, 2);
        c[13] = ':';
        digits(c, 14, ms / 60_000 % 60, 2);
        c[16] = ':';
        digits(c, 17, ms / 1000 % 60, 2);
        c[19] = '.';
        digits(c, 20, ms % 1000, 3);
        c[23] = 'Z';
        return new String(c);
    }

    /** Any RFC 3339 time; the canonical form {@link #formatTime} writes is read without the parser. */
    public static long parseTime(String rfc3339) {
        if (rfc3339.length() == 24 && isCanonical(rfc3339)) {
            int year = number(rfc3339, 0, 4);
            int month = number(rfc3339, 5, 2);
            int day = number(rfc3339, 8, 2);
            int hour = number(rfc3339, 11, 2);
            int minute = number(rfc3339, 14, 2);
            int second = number(rfc3339, 17, 2);
            if (month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour < 24 && minute < 60 && second < 60) {
                long epochDay = LocalDate.of(year, month, day).toEpochDay();
                return epochDay * MILLIS_PER_DAY + hour * 3_600_000L + minute * 60_000L + second * 1000L
                        + number(rfc3339, 20, 3);
            }
        }
        return Instant.parse(rfc3339).toEpochMilli(); // other forms, days 29–31 and invalid values: as before
    }

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private static boolean isCanonical(String s) {
        for (int i = 0; i < 24; i++) {
            char ch = s.charAt(i);
            boolean ok = switch (i) {
                case 4, 7 -> ch == '-';
                case 10 -> ch == 'T';
                case 13, 16 -> ch == ':';
                case 19 -> ch == '.';
                case 23 -> ch == 'Z';
                default -> ch >= '0' && ch <= '9';
            };
            if (!ok) return false;
        }
        return true;
    }

    private static int number(String s, int from, int length) {
        int n = 0;
        for (int i = from; i < from + length; i++) n = n * 10 + (s.charAt(i) - '0');
        return n;
    }

    private static void digits(char[] c, int at, int value, int width) {
        int v = value;
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + v % 10);
            v /= 10;
        }
    }
}
