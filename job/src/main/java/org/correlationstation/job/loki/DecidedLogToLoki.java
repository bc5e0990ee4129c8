package org.correlationstation.job.loki;

import org.apache.flink.api.common.functions.MapFunction;
import org.correlationstation.connectors.loki.LokiEntry;
import org.correlationstation.job.correlate.JoinedLog;

/** Correlated logs, once their join is decided, as Loki entries. */
public final class DecidedLogToLoki implements MapFunction<JoinedLog, LokiEntry> {
    private static final long serialVersionUID = 1L;

    @Override
    public LokiEntry map(JoinedLog joined) {
        return LokiEntries.decided(joined);
    }
}
