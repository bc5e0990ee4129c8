package org.correlationstation.connectors.kafka;

import java.util.Objects;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.OtlpTraces;
import org.correlationstation.core.model.SpanEvent;

/**
 * What an OTLP source emits: exactly one of a span, a log, a dead letter, or the original message of
 * the spans it just emitted (for Tempo). A union rather than a side
 * output because a Kafka source has a single output; a POJO (not an interface with subclasses) so that
 * Flink serialises it without Kryo.
 */
public class TelemetryEnvelope {
    public SpanEvent span;
    public LogEvent log;
    public DeadLetter deadLetter;
    public OtlpTraces traces;

    public TelemetryEnvelope() {}

    public static TelemetryEnvelope of(OtlpTraces traces) {
        TelemetryEnvelope e = new TelemetryEnvelope();
        e.traces = Objects.requireNonNull(traces);
        return e;
    }

    public static TelemetryEnvelope of(SpanEvent span) {
        TelemetryEnvelope e = new TelemetryEnvelope();
        e.span = Objects.requireNonNull(span);
        return e;
    }

    public static TelemetryEnvelope of(LogEvent log) {
        TelemetryEnvelope e = new TelemetryEnvelope();
        e.log = Objects.requireNonNull(log);
        return e;
    }

    public static TelemetryEnvelope of(DeadLetter deadLetter) {
        TelemetryEnvelope e = new TelemetryEnvelope();
        e.deadLetter = Objects.requireNonNull(deadLetter);
        return e;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof TelemetryEnvelope)) return false;
        TelemetryEnvelope e = (TelemetryEnvelope) o;
        return Objects.equals(span, e.span) && Objects.equals(log, e.log) && Objects.equals(deadLetter, e.deadLetter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(span, log, deadLetter);
    }

    @Override
    public String toString() {
        Object content = span != null ? span : log != null ? log : deadLetter != null ? deadLetter
                : "traces(" + traces.spanCount + " spans)";
        return "TelemetryEnvelope{" + content + "}";
    }
}
