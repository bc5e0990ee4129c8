package org.correlationstation.core.testdata;

import java.util.List;
import java.util.stream.Stream;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;

/**
 * One generated trace as the decoder should see it: its spans (parents before children), the logs that
 * carry its trace id, and logs the same request wrote without trace context (not correlated, SPEC §3).
 */
public record GeneratedTrace(String traceId, List<SpanEvent> spans, List<LogEvent> logs, List<LogEvent> untracedLogs) {

    public GeneratedTrace {
        spans = List.copyOf(spans);
        logs = List.copyOf(logs);
        untracedLogs = List.copyOf(untracedLogs);
    }

    /** The span without a parent. */
    public SpanEvent root() {
        return spans.get(0);
    }

    public static List<SpanEvent> allSpans(List<GeneratedTrace> traces) {
        return traces.stream().flatMap(t -> t.spans.stream()).toList();
    }

    /** Every log that carries a trace id. */
    public static List<LogEvent> allLogs(List<GeneratedTrace> traces) {
        return traces.stream().flatMap(t -> t.logs.stream()).toList();
    }

    public static List<LogEvent> allUntracedLogs(List<GeneratedTrace> traces) {
        return traces.stream().flatMap(t -> t.untracedLogs.stream()).toList();
    }

    /** Traced and untraced logs, as a logs topic would carry them. */
    public static List<LogEvent> allLogsWithUntraced(List<GeneratedTrace> traces) {
        return Stream.concat(allLogs(traces).stream(), allUntracedLogs(traces).stream()).toList();
    }
}
