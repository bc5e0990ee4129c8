package org.correlationstation.job.correlate;

import org.apache.flink.api.java.functions.KeySelector;
import org.correlationstation.core.model.SpanEvent;

/** The correlator's key for spans. */
public final class TraceIdOfSpan implements KeySelector<SpanEvent, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(SpanEvent span) {
        return span.traceId;
    }
}
