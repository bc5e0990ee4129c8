package org.correlationstation.connectors.kafka;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.OtlpTraces;
import org.correlationstation.core.model.SpanEvent;

/**
 * What an OTLP source emits: exactly one of the spans of one trace from one message, the logs of one
 * trace from one message (or the message's logs without trace id), a dead letter, or the original
 * message of the spans it just emitted (for Tempo). A message's events are grouped by trace here,
 * where the whole message is at hand, so that the job handles a trace's events of a message as one
 * keyed record (one state read and write, one timer update) instead of one per event. A union
 * rather than a side output because a Kafka source has a single output; a POJO (not an interface
 * with subclasses) so that Flink serialises it without Kryo.
 */
public class TelemetryEnvelope {
    /** Spans of one trace, in message order; never empty when set. */
    public SpanEvent[] spans;
    /** Logs with the same trace id (possibly none), in message order; never empty when set. */
    public LogEvent[] logs;
    public DeadLetter deadLetter;
    public OtlpTraces traces;

    public TelemetryEnvelope() {}

    public static TelemetryEnvelope of(OtlpTraces traces) {
        TelemetryEnvelope e = new TelemetryEnvelope();
        e.traces = Objects.requireNonNull(traces);
        return e;
    }

    public static TelemetryEnvelope ofSpans(SpanEvent... spans) {
        if (spans.length == 0) throw new IllegalArgumentException("an envelope holds at least one span");
        TelemetryEnvelope e = new TelemetryEnvelope();
        e.spans = spans;
        return e;
    }

    public static TelemetryEnvelope ofLogs(LogEvent... logs) {
        if (logs.length == 0) throw new IllegalArgumentException("an envelope holds at least one log");
        TelemetryEnvelope e = new TelemetryEnvelope();
        e.logs = logs;
        return e;
    }

    public static TelemetryEnvelope of(DeadLetter deadLetter) {
        TelemetryEnvelope e = new TelemetryEnvelope();
        e.deadLetter = Objects.requireNonNull(deadLetter);
        return e;
    }

    /** One envelope per trace id (null included), in the order each trace first appears. */
    static List<TelemetryEnvelope> spansByTrace(List<SpanEvent> spans) {
        List<TelemetryEnvelope> out = new ArrayList<>();
        for (List<SpanEvent> group : byTrace(spans, s -> s.traceId)) out.add(ofSpans(group.toArray(new SpanEvent[0])));
        return out;
    }

    static List<TelemetryEnvelope> logsByTrace(List<LogEvent> logs) {
        List<TelemetryEnvelope> out = new ArrayList<>();
        for (List<LogEvent> group : byTrace(logs, l -> l.traceId)) out.add(ofLogs(group.toArray(new LogEvent[0])));
        return out;
    }

    private static <T> Iterable<List<T>> byTrace(List<T> events, Function<T, String> traceId) {
        Map<String, List<T>> groups = new LinkedHashMap<>();
        for (T event : events) groups.computeIfAbsent(traceId.apply(event), k -> new ArrayList<>()).add(event);
        return groups.values();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof TelemetryEnvelope)) return false;
        TelemetryEnvelope e = (TelemetryEnvelope) o;
        return Arrays.equals(spans, e.spans) && Arrays.equals(logs, e.logs) && Objects.equals(deadLetter, e.deadLetter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(spans), Arrays.hashCode(logs), deadLetter);
    }

    @Override
    public String toString() {
        Object content = spans != null ? Arrays.toString(spans) : logs != null ? Arrays.toString(logs)
                : deadLetter != null ? deadLetter : "traces(" + traces.spanCount + " spans)";
        return "TelemetryEnvelope{" + content + "}";
    }
}
