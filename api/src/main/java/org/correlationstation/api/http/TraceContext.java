package org.correlationstation.api.http;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The W3C trace context of one request (SPEC §6): a valid incoming {@code traceparent} is continued
 * (same trace id and flags, a new span id for the API's own span), otherwise a new trace starts.
 *
 * @param traceId 32 lowercase hex, not all zero
 * @param parentSpanId the caller's span id, or null when the trace was started here
 * @param spanId the API's own span: 16 lowercase hex, not all zero
 * @param flags 2 lowercase hex
 */
public record TraceContext(String traceId, String parentSpanId, String spanId, String flags) {
    private static final Pattern TRACEPARENT_V00 = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    /** Flags of a trace started here: not sampled, since the API records no spans of its own. */
    static final String NEW_TRACE_FLAGS = "00";

    /** Continues a valid {@code traceparent} (version 00) or starts a new trace. */
    public static TraceContext continueOrStart(String traceparent) {
        if (traceparent != null) {
            var m = TRACEPARENT_V00.matcher(traceparent.trim());
            if (m.matches() && !isZero(m.group(1)) && !isZero(m.group(2))) {
                return new TraceContext(m.group(1), m.group(2), randomId(8), m.group(3));
            }
        }
        return new TraceContext(randomId(16), null, randomId(8), NEW_TRACE_FLAGS);
    }

    /** The {@code traceparent} header of the response. */
    public String traceparent() {
        return "00-" + traceId + "-" + spanId + "-" + flags;
    }

    static boolean isZero(String hex) {
        for (int i = 0; i < hex.length(); i++) {
            if (hex.charAt(i) != '0') return false;
        }
        return true;
    }

    /** {@code bytes} (8 or 16) random bytes as lowercase hex, not all zero; one string per call (every request makes two). */
    private static String randomId(int bytes) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high;
        long low;
        do {
            high = bytes > 8 ? random.nextLong() : 0;
            low = random.nextLong();
        } while (high == 0 && low == 0);
        char[] out = new char[bytes * 2];
        int at = 0;
        if (bytes > 8) at = hex(high, out, at);
        hex(low, out, at);
        return new String(out);
    }

    private static int hex(long v, char[] out, int at) {
        for (int shift = 60; shift >= 0; shift -= 4) out[at++] = DIGITS[(int) (v >>> shift) & 0xf];
        return at;
    }

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();
}
