package org.correlationstation.job.correlate;

import org.correlationstation.core.model.LogEvent;

/** A log waiting for its join decision (SPEC §3), with the processing time it arrived at. */
public class PendingLog {
    public LogEvent log;
    public long arrivedAt;

    public PendingLog() {}

    PendingLog(LogEvent log, long arrivedAt) {
        this.log = log;
        this.arrivedAt = arrivedAt;
    }
}
