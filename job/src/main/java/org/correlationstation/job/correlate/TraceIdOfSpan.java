package org.correlationstation.job.correlate;

import org.apache.flink.api.java.functions.KeySelector;
import org.correlationstation.job.types.TraceSpans;

/** The correlator's key for spans. */
public final class TraceIdOfSpan implements KeySelector<TraceSpans, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(TraceSpans batch) {
        return batch.traceId;
    }
}
