package org.correlationstation.job.correlate;

import org.correlationstation.core.model.LogEvent;

/**
 * A log with its join decision: what goes on to Loki and to the normalised-logs topic. {@code spanId}
 * is the log's own span id, or the inferred one; {@code spanName} is set only when the span was known
 * at decision time.
 */
public class JoinedLog {
    public LogEvent log;
    public String correlationId;
    public String spanId;
    public String spanName;
    public boolean inferred;

    public JoinedLog() {}

    JoinedLog(LogEvent log, String correlationId, String spanId, String spanName, boolean inferred) {
        this.log = log;
        this.correlationId = correlationId;
        this.spanId = spanId;
        this.spanName = spanName;
        this.inferred = inferred;
    }

    @Override
    public String toString() {
        return "JoinedLog{" + log + ", span=" + spanId + " (" + spanName + "), inferred=" + inferred + "}";
    }
}
