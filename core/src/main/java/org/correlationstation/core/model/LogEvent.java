package org.correlationstation.core.model;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** One log record, normalised (SPEC §2). A Flink POJO, like {@link SpanEvent}. */
public class LogEvent {
    /** {@link #traceIdSource} of a log whose trace id was found in its text (LOG_TRACE_ID_PATTERNS). */
    public static final String TRACE_ID_FROM_BODY = "body";

    /** 32 lowercase hex, or null: logs outside a span carry no trace id and are not correlated. */
    public String traceId;
    /** 16 lowercase hex, or null. */
    public String spanId;
    public String service;
    public String env;
    public String host;
    /** time_unix_nano, else observed_time_unix_nano, else the transport's timestamp. */
    public long timeNanos;
    /** OTLP severity number (0 = unspecified). */
    public int severityNumber;
    public String severityText;
    /** The body: a string as is, any other value as compact JSON. */
    public String body;
    public String legacyTraceId;
    /**
     * The log record's own attributes as text (non-string values as compact JSON), for Loki's
     * structured metadata. Not part of the dedup identity or of equality (SPEC §3: time, span, body).
     */
    public Map<String, String> attributes = new HashMap<>();
    /**
     * Where the trace id came from: null for the record's own trace context (or no trace id),
     * {@link #TRACE_ID_FROM_BODY} when the decoder found it in the body or a string attribute. Loki shows
     * it as {@code trace_id_source}; it is kept with pending logs in the correlator's state.
     */
    public String traceIdSource;

    public LogEvent() {}

    public long eventTimeMillis() {
        return timeNanos / 1_000_000L;
    }

    /** SPEC §2: severity number 17 and above is an error. */
    public boolean isError() {
        return Severity.isError(severityNumber);
    }

    /**
     * The identity used for dedup (SPEC §3: same time, span id and body). 64 bits of a strong mix: a
     * collision would merge two distinct logs, which at 10,000 fingerprints per trace has a probability
     * far below 1e-10.
     */
    public long fingerprint() {
        long h = 0x9E3779B97F4A7C15L ^ timeNanos;
        h = mix(h);
        h = mix(h ^ (spanId == null ? 0L : spanId.hashCode() * 0x100000001B3L));
        if (body != null) {
            for (int i = 0; i < body.length(); i++) {
                h = (h ^ body.charAt(i)) * 0x100000001B3L;
            }
            h = mix(h ^ body.length());
        }
        return mix(h);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof LogEvent)) return false;
        LogEvent l = (LogEvent) o;
        return timeNanos == l.timeNanos && severityNumber == l.severityNumber
                && Objects.equals(traceId, l.traceId) && Objects.equals(spanId, l.spanId)
                && Objects.equals(service, l.service) && Objects.equals(env, l.env)
                && Objects.equals(host, l.host) && Objects.equals(severityText, l.severityText)
                && Objects.equals(body, l.body) && Objects.equals(legacyTraceId, l.legacyTraceId)
                && Objects.equals(traceIdSource, l.traceIdSource);
    }

    @Override
    public int hashCode() {
        return Objects.hash(traceId, spanId, timeNanos, body);
    }

    @Override
    public String toString() {
        return "LogEvent{trace=" + traceId + ", span=" + spanId + ", service=" + service + ", time=" + timeNanos
                + ", severity=" + severityNumber + ", body=" + body + "}";
    }
}
