package org.correlationstation.job.correlate;

import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;

/** Compact event builders for the correlator tests; times in epoch ms. */
final class Events {
    static final long T0 = 1_800_000_000_000L;
    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    private Events() {}

    static SpanEvent span(String id, String parent, String name, String service, long startMs, long endMs) {
        SpanEvent s = new SpanEvent();
        s.traceId = TRACE;
        s.spanId = id;
        s.parentSpanId = parent;
        s.name = name;
        s.service = service;
        s.env = "prod";
        s.startTimeNanos = startMs * 1_000_000L;
        s.endTimeNanos = endMs * 1_000_000L;
        return s;
    }

    static SpanEvent errorSpan(String id, String parent, String name, String service, long startMs, long endMs) {
        SpanEvent s = span(id, parent, name, service, startMs, endMs);
        s.error = true;
        return s;
    }

    static LogEvent log(String spanId, String service, long timeMs, int severity, String body) {
        LogEvent l = new LogEvent();
        l.traceId = TRACE;
        l.spanId = spanId;
        l.service = service;
        l.env = "prod";
        l.timeNanos = timeMs * 1_000_000L;
        l.severityNumber = severity;
        l.body = body;
        return l;
    }

    static String sid(int n) {
        return String.format("%016x", n);
    }
}
