package org.correlationstation.core.otlp;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Trace and span id normalisation (SPEC §2). */
public final class Ids {
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern HEX32 = Pattern.compile("[0-9a-fA-F]{32}");
    private static final Pattern LEGACY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private Ids() {}

    /** 32 lowercase hex, or null for an empty or all-zero id. */
    public static String traceId(ByteString bytes) throws MalformedOtlpException {
        return hexId(bytes, 16, MalformedOtlpException.INVALID_TRACE_ID, "trace id");
    }

    /** 16 lowercase hex, or null for an empty or all-zero id. */
    public static String spanId(ByteString bytes) throws MalformedOtlpException {
        return hexId(bytes, 8, MalformedOtlpException.INVALID_SPAN_ID, "span id");
    }

    private static String hexId(ByteString bytes, int length, String reason, String what)
            throws MalformedOtlpException {
        int n = bytes.size();
        if (n == 0) return null;
        if (n != length) {
            throw new MalformedOtlpException(reason, what + " has " + n + " bytes, expected " + length + " or 0");
        }
        boolean zero = true;
        for (int i = 0; i < n && zero; i++) zero = bytes.byteAt(i) == 0;
        return zero ? null : HEX.formatHex(bytes.toByteArray());
    }

    /** True for a legacy (old-service) trace id: 1–128 chars of {@code [A-Za-z0-9._:-]}. */
    public static boolean isValidLegacyTraceId(String id) {
        return id != null && LEGACY.matcher(id).matches();
    }

    public static boolean isHexTraceId(String id) {
        return id != null && HEX32.matcher(id).matches();
    }

    /**
     * The OTLP trace id an opaque legacy id maps to: a 32-hex id as is (lowercased), any other the first
     * 16 bytes of its SHA-256. The query API applies the same mapping to a non-hex {@code trace_id}.
     */
    public static String traceIdForLegacy(String legacyId) {
        if (isHexTraceId(legacyId)) return legacyId.toLowerCase(java.util.Locale.ROOT);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(legacyId.getBytes(StandardCharsets.UTF_8));
            return HEX.formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
