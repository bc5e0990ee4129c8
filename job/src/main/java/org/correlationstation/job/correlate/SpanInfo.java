package org.correlationstation.job.correlate;

/** What the join and the edges need of a tracked span; the trace's tracked spans are one list in keyed state. */
public class SpanInfo {
    public String spanId;
    public String name;
    public String service;
    public String parentSpanId;
    /** Nanoseconds, as OTLP has them: nested spans often start within the same millisecond. */
    public long startNanos;
    public long endNanos;
    public boolean error;

    public SpanInfo() {}
}
