package org.correlationstation.api.http;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;
import org.correlationstation.api.store.CorrelationQuery;
import org.correlationstation.api.store.Cursor;
import org.correlationstation.core.otlp.Ids;

/**
 * Validation of every request parameter (SPEC §2, §6). Each method returns the normalised value or
 * throws a 400 {@link ApiError} whose message names the parameter and the rule; values are never
 * echoed (they may be long, binary or hostile).
 */
public final class Params {
    public static final int MAX_SERVICE_LENGTH = 256;
    /** Service names: letters, digits and {@code . _ : / @ -}; no wildcards, spaces, control characters, {@code ..}. */
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9._:/@-]{1," + MAX_SERVICE_LENGTH + "}");
    private static final Pattern UUID_LOWER =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,15}");
    private static final Pattern LIMIT = Pattern.compile("[0-9]{1,4}");
    /** 9999-12-31T23:59:59.999Z: the largest time a record can carry. */
    static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;
    private static final int MAX_TIME_LENGTH = 40;

    private Params() {}

    /** A 32-hex id (lowercased) or a legacy id mapped to its OTLP trace id (SPEC §2). */
    public static String traceId(String value) {
        requireNonEmpty("trace_id", value);
        String mapped;
        if (Ids.isHexTraceId(value)) {
            mapped = value.toLowerCase(java.util.Locale.ROOT);
        } else if (Ids.isValidLegacyTraceId(value)) {
            mapped = Ids.traceIdForLegacy(value);
        } else {
            throw ApiError.invalidArgument("trace_id must be 32 hex characters, or a legacy trace id of 1–128"
                    + " characters from [A-Za-z0-9._:-]");
        }
        if (TraceContext.isZero(mapped)) throw ApiError.invalidArgument("trace_id must not be all zeros");
        return mapped;
    }

    public static String correlationId(String value) {
        requireNonEmpty("correlation_id", value);
        if (!UUID_LOWER.matcher(value).matches()) {
            throw ApiError.invalidArgument("correlation_id must be a UUID in lowercase canonical form,"
                    + " e.g. 3f2c1a9e-5b7d-5e21-9c44-0a1b2c3d4e5f");
        }
        return value;
    }

    public static String service(String value) {
        if (value == null) return null;
        requireNonEmpty("service", value);
        if (value.length() > MAX_SERVICE_LENGTH) {
            throw ApiError.invalidArgument("service must be at most " + MAX_SERVICE_LENGTH + " characters");
        }
        if (!SERVICE.matcher(value).matches() || value.contains("..")) {
            throw ApiError.invalidArgument("service may only contain letters, digits and . _ : / @ -"
                    + " (no wildcards, spaces, control characters or '..')");
        }
        return value;
    }

    /** RFC 3339 (with an offset, e.g. {@code 2026-11-22T10:00:00Z}) or epoch milliseconds. */
    public static Long time(String name, String value) {
        if (value == null) return null;
        requireNonEmpty(name, value);
        String problem = name + " must be an RFC 3339 time (e.g. 2026-11-22T10:00:00Z) or epoch milliseconds"
                + " between 0 and " + MAX_EPOCH_MILLIS;
        if (value.length() > MAX_TIME_LENGTH) throw ApiError.invalidArgument(problem);
        long millis;
        if (DIGITS.matcher(value).matches()) {
            millis = Long.parseLong(value);
        } else {
            try {
                millis = OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                throw ApiError.invalidArgument(problem);
            }
        }
        if (millis < 0 || millis > MAX_EPOCH_MILLIS) throw ApiError.invalidArgument(problem);
        return millis;
    }

    public static String status(String value) {
        if (value == null) return null;
        requireNonEmpty("status", value);
        if (!value.equals("open") && !value.equals("closed")) {
            throw ApiError.invalidArgument("status must be open or closed");
        }
        return value;
    }

    public static Boolean hasError(String value) {
        if (value == null) return null;
        requireNonEmpty("has_error", value);
        return switch (value) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw ApiError.invalidArgument("has_error must be true or false");
        };
    }

    public static int limit(String value) {
        if (value == null) return CorrelationQuery.DEFAULT_LIMIT;
        requireNonEmpty("limit", value);
        String problem = "limit must be an integer from 1 to " + CorrelationQuery.MAX_LIMIT;
        if (!LIMIT.matcher(value).matches()) throw ApiError.invalidArgument(problem);
        int limit = Integer.parseInt(value);
        if (limit < 1 || limit > CorrelationQuery.MAX_LIMIT) throw ApiError.invalidArgument(problem);
        return limit;
    }

    public static Cursor cursor(String value) {
        if (value == null) return null;
        requireNonEmpty("cursor", value);
        try {
            return Cursor.decode(value);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidArgument("cursor is malformed: pass the next_cursor of a previous page unchanged");
        }
    }

    private static void requireNonEmpty(String name, String value) {
        if (value == null || value.isEmpty()) throw ApiError.invalidArgument(name + " must not be empty");
    }
}
