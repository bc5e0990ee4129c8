package org.correlationstation.core.model;

import java.util.Objects;

/**
 * One span, normalised (SPEC §2). A Flink POJO: public fields and a no-arg constructor so that it is
 * serialised by Flink's PojoSerializer rather than Kryo.
 */
public class SpanEvent {
    /** 32 lowercase hex; never null for a span that reaches the correlator. */
    public String traceId;
    /** 16 lowercase hex, or null when the span has none. */
    public String spanId;
    /** 16 lowercase hex, or null for a root span. */
    public String parentSpanId;
    public String name;
    public String service;
    /** Null when the resource carries no environment; the decoder fills in the default. */
    public String env;
    public long startTimeNanos;
    public long endTimeNanos;
    /** Span status ERROR. */
    public boolean error;
    /** The opaque id an old client used, when the trace id was derived from it (SPEC §2). */
    public String legacyTraceId;

    public SpanEvent() {}

    /** Event time of a span: its end (spans are reported when they end). */
    public long eventTimeMillis() {
        return endTimeNanos / 1_000_000L;
    }

    public long startMillis() {
        return startTimeNanos / 1_000_000L;
    }

    public long endMillis() {
        return endTimeNanos / 1_000_000L;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof SpanEvent)) return false;
        SpanEvent s = (SpanEvent) o;
        return startTimeNanos == s.startTimeNanos && endTimeNanos == s.endTimeNanos && error == s.error
                && Objects.equals(traceId, s.traceId) && Objects.equals(spanId, s.spanId)
                && Objects.equals(parentSpanId, s.parentSpanId) && Objects.equals(name, s.name)
                && Objects.equals(service, s.service) && Objects.equals(env, s.env)
                && Objects.equals(legacyTraceId, s.legacyTraceId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(traceId, spanId, startTimeNanos, endTimeNanos);
    }

    @Override
    public String toString() {
        return "SpanEvent{trace=" + traceId + ", span=" + spanId + ", parent=" + parentSpanId + ", name=" + name
                + ", service=" + service + ", env=" + env + ", start=" + startTimeNanos + ", end=" + endTimeNanos
                + ", error=" + error + "}";
    }
}
