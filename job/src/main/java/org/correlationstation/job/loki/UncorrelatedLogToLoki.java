package org.correlationstation.job.loki;

import org.apache.flink.api.common.functions.MapFunction;
import org.correlationstation.connectors.loki.LokiEntry;
import org.correlationstation.core.model.LogEvent;

/** Logs without a trace id, straight away, as Loki entries. */
public final class UncorrelatedLogToLoki implements MapFunction<LogEvent, LokiEntry> {
    private static final long serialVersionUID = 1L;

    @Override
    public LokiEntry map(LogEvent log) {
        return LokiEntries.uncorrelated(log);
    }
}
