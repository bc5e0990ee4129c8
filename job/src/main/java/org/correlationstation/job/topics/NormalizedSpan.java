package org.correlationstation.job.topics;

import org.apache.flink.util.Collector;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.job.types.TraceSpans;

/**
 * A span as the normalised-spans topic carries it (docs/sql.md): snake_case JSON, hex ids, times both
 * in epoch nanoseconds (exact, as OTLP carries them: nested spans often start within one millisecond)
 * and epoch milliseconds (what SQL's {@code TO_TIMESTAMP_LTZ(…, 3)} takes for a watermark).
 */
public class NormalizedSpan {
    public String traceId;
    public String spanId;
    public String parentSpanId;
    public String name;
    public String service;
    public String env;
    public long startTimeUnixNano;
    public long endTimeUnixNano;
    public long startTimeMs;
    public long endTimeMs;
    public boolean error;
    public String legacyTraceId;

    public NormalizedSpan() {}

    /** Each span of a batch, in order (a flat map over the router's per-trace batches). */
    public static void eachOf(TraceSpans batch, Collector<NormalizedSpan> out) {
        for (SpanEvent span : batch.spans) out.collect(of(span));
    }

    public static NormalizedSpan of(SpanEvent s) {
        NormalizedSpan n = new NormalizedSpan();
        n.traceId = s.traceId;
        n.spanId = s.spanId;
        n.parentSpanId = s.parentSpanId;
        n.name = s.name;
        n.service = s.service;
        n.env = s.env;
        n.startTimeUnixNano = s.startTimeNanos;
        n.endTimeUnixNano = s.endTimeNanos;
        n.startTimeMs = s.startMillis();
        n.endTimeMs = s.endMillis();
        n.error = s.error;
        n.legacyTraceId = s.legacyTraceId;
        return n;
    }
}
