package org.correlationstation.job.correlate;

import org.apache.flink.api.java.functions.KeySelector;
import org.correlationstation.job.types.TraceLogs;

/** The correlator's key for logs (only logs with a trace id reach it). */
public final class TraceIdOfLog implements KeySelector<TraceLogs, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(TraceLogs batch) {
        return batch.traceId;
    }
}
