package org.correlationstation.core.graph;

import java.io.Serializable;
import java.util.Objects;

/**
 * What the service graph knows of one element in one time bucket: for a node its spans, error spans and
 * their durations; for an edge the calls (child spans), errors (error child spans) and the child spans'
 * durations. Counts only grow, and merge by adding.
 */
public final class GraphCounts implements Serializable {
    private static final long serialVersionUID = 1L;

    public long calls;
    public long errors;
    /** The sum of the durations, in microseconds (a Prometheus histogram's {@code _sum}). */
    public long durationMicrosSum;
    public DurationHistogram durations;

    public GraphCounts() {
        this(0, 0, 0, new DurationHistogram());
    }

    public GraphCounts(long calls, long errors, long durationMicrosSum, DurationHistogram durations) {
        this.calls = calls;
        this.errors = errors;
        this.durationMicrosSum = durationMicrosSum;
        this.durations = durations;
    }

    /** One span (or call) of {@code durationNanos}. */
    public void add(long durationNanos, boolean error) {
        calls++;
        if (error) errors++;
        long nanos = Math.max(0, durationNanos);
        durationMicrosSum += nanos / 1000;
        durations.add(nanos / 1e6);
    }

    public void merge(GraphCounts other) {
        calls += other.calls;
        errors += other.errors;
        durationMicrosSum += other.durationMicrosSum;
        durations.merge(other.durations);
    }

    public GraphCounts copy() {
        return new GraphCounts(calls, errors, durationMicrosSum, durations.copy());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GraphCounts c && calls == c.calls && errors == c.errors
                && durationMicrosSum == c.durationMicrosSum && durations.equals(c.durations);
    }

    @Override
    public int hashCode() {
        return Objects.hash(calls, errors, durationMicrosSum, durations);
    }

    @Override
    public String toString() {
        return "GraphCounts{calls=" + calls + ", errors=" + errors + ", durationMicrosSum=" + durationMicrosSum
                + ", durations=" + durations + '}';
    }
}
