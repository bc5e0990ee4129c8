package org.correlationstation.job.correlate;

/** What the join and the edges need of a tracked span; kept per span id in keyed state. */
public class SpanInfo {
    public String name;
    public String service;
    public String parentSpanId;
    public long startMs;
    public long endMs;
    public boolean error;

    public SpanInfo() {}
}
