package org.correlationstation.job.types;

import java.util.Arrays;
import org.correlationstation.core.model.SpanEvent;

/** The spans of one trace from one Kafka message: the correlator's unit of work for spans. */
public final class TraceSpans {
    public final String traceId;
    public final SpanEvent[] spans;

    public TraceSpans(String traceId, SpanEvent... spans) {
        this.traceId = traceId;
        this.spans = spans;
    }

    @Override
    public String toString() {
        return "TraceSpans{" + traceId + ", " + Arrays.toString(spans) + "}";
    }
}
