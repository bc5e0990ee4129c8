package org.correlationstation.job.correlate;

/** Logs attributed to one span: explicit ones counted on arrival, inferred ones at decision time. */
public class LinkCounts {
    public long logCount;
    public long inferredLogCount;

    public LinkCounts() {}
}
