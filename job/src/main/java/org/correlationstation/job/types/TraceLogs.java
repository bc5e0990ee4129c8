package org.correlationstation.job.types;

import java.util.Arrays;
import org.correlationstation.core.model.LogEvent;

/** The logs of one trace from one Kafka message: the correlator's unit of work for logs. */
public final class TraceLogs {
    public final String traceId;
    public final LogEvent[] logs;

    public TraceLogs(String traceId, LogEvent... logs) {
        this.traceId = traceId;
        this.logs = logs;
    }

    @Override
    public String toString() {
        return "TraceLogs{" + traceId + ", " + Arrays.toString(logs) + "}";
    }
}
