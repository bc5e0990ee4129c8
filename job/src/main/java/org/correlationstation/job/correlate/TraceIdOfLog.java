package org.correlationstation.job.correlate;

import org.apache.flink.api.java.functions.KeySelector;
import org.correlationstation.core.model.LogEvent;

/** The correlator's key for logs (only logs with a trace id reach it). */
public final class TraceIdOfLog implements KeySelector<LogEvent, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(LogEvent log) {
        return log.traceId;
    }
}
