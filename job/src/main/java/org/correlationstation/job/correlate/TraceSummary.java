package org.correlationstation.job.correlate;

import java.util.Arrays;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationIds;

/**
 * The per-trace aggregates (SPEC §4) and lifecycle bookkeeping, one value per trace. The spans, the id
 * and fingerprint sets, the link table and the pending logs live in value and list states of their own
 * beside it (docs/semantics.md "State"), so an update never re-serialises a large trace.
 */
public class TraceSummary {
    /** Not in the summary's state value (its key): set by {@link #ofTrace} when read. */
    public String traceId;
    /** Derived from the trace id (SPEC §3); not in the state value either. */
    public String correlationId;
    public String legacyTraceId;

    // aggregates
    public long spanCount;
    public long logCount;
    public long errorSpanCount;
    public long errorLogCount;
    public int maxSeverity;
    public long firstSeen = Long.MAX_VALUE;
    public long lastSeen = Long.MIN_VALUE;
    public long minSpanStart = Long.MAX_VALUE;
    public long maxSpanEnd = Long.MIN_VALUE;
    public String rootSpanId;
    public String rootService;
    public String rootOperation;
    public String rootEnv;
    public long rootStartNanos;
    public boolean hasRoot;
    public String minEnv;
    /** Sorted, at most MAX_SERVICES_PER_TRACE. */
    public String[] services = new String[0];
    public int trackedSpans;
    public int trackedLogs;
    public int linkEntries;
    public long lateEvents;
    public boolean truncated;

    // lifecycle (processing times unless named otherwise)
    public long firstArrival;
    public long lastArrival;
    public boolean closed;
    public long closedAt;
    public boolean dirty;
    public long lastEmitAt;
    public boolean emitted;
    public long version;
    public long lastContentHash;
    public int pendingLogs;
    public int pendingWithSpanId;
    /** Earliest watermark / processing time at which a pending log is due for its decision. */
    public long pendingDueEventTime = Long.MAX_VALUE;
    public long pendingDueProcessingTime = Long.MAX_VALUE;
    /** The one event-time and one processing-time timer this trace has registered (0 = none). */
    public long eventTimer;
    public long processingTimer;
    /**
     * The trace's spans, fingerprints, links and counted edges are in its {@code closed-trace} value
     * ({@link ClosedTrace}), written when it closed or, for most traces, when it was written back quiet
     * after its first emission; false for a trace that closed before release 0.2.0.
     * Declared last: the golden data of earlier releases numbers the fields before it.
     */
    public boolean closedForm;

    /**
     * The trace's small state values while its summary is held ({@link HeldValues}); not part of the
     * summary's state (its serializer does not write it).
     */
    transient HeldValues held;
    /**
     * Whether state may have the trace's open-form small values: its summary was read from state or
     * written back (they are written only with it). False for a summary created in this subtask and never
     * written: its compact form then has only the span list to clear. Not part of the summary's state.
     */
    transient boolean valuesMayBeStored;

    public TraceSummary() {}

    /**
     * This summary, read from the state of trace {@code traceId}, with the ids its stored form leaves out
     * ({@link TraceSummarySerializer}); a summary that has them (held, or of an earlier layout) keeps them.
     */
    TraceSummary ofTrace(String traceId) {
        if (this.traceId == null) {
            this.traceId = traceId;
            this.correlationId = CorrelationIds.forTrace(traceId);
        }
        return this;
    }

    void addSpan(SpanEvent span, int maxServices) {
        spanCount++;
        if (span.error) errorSpanCount++;
        seen(span.eventTimeMillis());
        minSpanStart = Math.min(minSpanStart, span.startMillis());
        maxSpanEnd = Math.max(maxSpanEnd, span.endMillis());
        addService(span.service, maxServices);
        addEnv(span.env);
        if (legacyTraceId == null) legacyTraceId = span.legacyTraceId;
        if (span.parentSpanId == null && isBetterRoot(span)) {
            hasRoot = true;
            rootSpanId = span.spanId;
            rootService = span.service;
            rootOperation = span.name;
            rootEnv = span.env;
            rootStartNanos = span.startTimeNanos;
        }
    }

    void addLog(LogEvent log, int maxServices) {
        logCount++;
        if (log.isError()) errorLogCount++;
        maxSeverity = Math.max(maxSeverity, log.severityNumber);
        seen(log.eventTimeMillis());
        addService(log.service, maxServices);
        addEnv(log.env);
        if (legacyTraceId == null) legacyTraceId = log.legacyTraceId;
    }

    /** Several parentless spans: the earliest start wins, ties to the smallest span id. */
    private boolean isBetterRoot(SpanEvent span) {
        if (!hasRoot) return true;
        if (span.startTimeNanos != rootStartNanos) return span.startTimeNanos < rootStartNanos;
        return span.spanId != null && (rootSpanId == null || span.spanId.compareTo(rootSpanId) < 0);
    }

    private void seen(long eventTime) {
        firstSeen = Math.min(firstSeen, eventTime);
        lastSeen = Math.max(lastSeen, eventTime);
    }

    private void addEnv(String env) {
        if (env != null && (minEnv == null || env.compareTo(minEnv) < 0)) minEnv = env;
    }

    private void addService(String service, int maxServices) {
        if (service == null) return;
        int at = Arrays.binarySearch(services, service);
        if (at >= 0) return;
        if (services.length >= maxServices) {
            truncated = true;
            return;
        }
        int insert = -at - 1;
        String[] grown = new String[services.length + 1];
        System.arraycopy(services, 0, grown, 0, insert);
        grown[insert] = service;
        System.arraycopy(services, insert, grown, insert + 1, services.length - insert);
        services = grown;
    }
}
