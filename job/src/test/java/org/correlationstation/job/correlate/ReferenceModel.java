package org.correlationstation.job.correlate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.Severity;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;

/**
 * SPEC §3–§4 (as docs/semantics.md reads them) once more, small, slow and plain: a map of traces, every
 * rule re-evaluated for every trace whenever a clock moves. No Flink, no state backend, no timers, no
 * caches, no batching: each rule is written the way the spec states it, so that a difference from
 * {@link TraceCorrelator} points at one of the two.
 *
 * <p>What it leaves to its driver: the clean-up happens "up to one step after close + TTL, never before";
 * the model clears at close + TTL, and the driver never lets the clock stop inside such a step
 * ({@link #cleanUpWindows}). Emission pacing (when and how often a record is emitted, and so
 * {@code version}) is not modelled: the model knows each trace's current record, which the correlator
 * must have emitted once nothing happened for a while.
 */
final class ReferenceModel {
    private final CorrelationSettings cfg;
    private long now;
    private long watermark = Long.MIN_VALUE;
    private final Map<String, Trace> traces = new TreeMap<>();
    private final Map<String, Long> clearedAt = new HashMap<>();
    /** The last record of each trace id that ever had one, live or cleared (without version and updated_at). */
    private final Map<String, String> lastRecords = new TreeMap<>();
    private final List<String> decided = new ArrayList<>();
    /** What happened, for the property's coverage checks: rule name → times. */
    private final Map<String, Integer> happened = new TreeMap<>();

    ReferenceModel(CorrelationSettings cfg) {
        this.cfg = cfg;
    }

    /** A trace's state: what SPEC §3 says the job remembers, in the plainest collections. */
    private static final class Trace {
        final String traceId;
        final String correlationId;
        long spanCount;
        long logCount;
        long errorSpans;
        long errorLogs;
        int maxSeverity;
        long firstSeen = Long.MAX_VALUE;
        long lastSeen = Long.MIN_VALUE;
        long minSpanStart = Long.MAX_VALUE;
        long maxSpanEnd = Long.MIN_VALUE;
        SpanEvent root;
        String minEnv;
        String legacyTraceId;
        /** The first services seen, at most MAX_SERVICES_PER_TRACE. */
        final Set<String> services = new LinkedHashSet<>();
        /** The tracked spans (the first MAX_SPANS_TRACKED_PER_TRACE distinct ones). */
        final Map<String, SpanEvent> tracked = new LinkedHashMap<>();
        /** Logs remembered for deduplication: time, span id and body. */
        final Set<List<Object>> logKeys = new LinkedHashSet<>();
        /** Per span id: {explicit + inferred logs, inferred logs}. */
        final Map<String, long[]> linkCounts = new LinkedHashMap<>();
        /** Logs waiting for their decision, in arrival order, with their arrival time. */
        final List<Map.Entry<LogEvent, Long>> waiting = new ArrayList<>();
        boolean truncated;
        boolean closed;
        long closedAt;
        long lastArrival;
        long lateEvents;

        Trace(String traceId) {
            this.traceId = traceId;
            this.correlationId = CorrelationIds.forTrace(traceId);
        }
    }

    // ---- clocks -------------------------------------------------------------------------------------

    /** Processing time moves to {@code time}: every rule of every trace is evaluated. */
    void advanceTo(long time) {
        now = time;
        evaluateAll();
    }

    void watermark(long time) {
        watermark = time;
        evaluateAll();
    }

    /** A restore: state stays, the watermark starts again from nothing (as after any Flink restore). */
    void restored() {
        watermark = Long.MIN_VALUE;
        evaluateAll();
    }

    long now() {
        return now;
    }

    long currentWatermark() {
        return watermark;
    }

    /** [close + TTL, close + TTL + step]: where the clean-up may happen, per closed trace. */
    List<long[]> cleanUpWindows(long step) {
        List<long[]> windows = new ArrayList<>();
        for (Trace t : traces.values()) {
            if (t.closed) windows.add(new long[] {t.closedAt + cfg.ttlMs, t.closedAt + cfg.ttlMs + step});
        }
        return windows;
    }

    // ---- events -------------------------------------------------------------------------------------

    void span(SpanEvent span) {
        if (span.spanId == null) return; // invalid: not counted (the decoder refuses it)
        Trace t = traceFor(span.traceId, span.eventTimeMillis());
        if (t == null) return;
        if (t.tracked.containsKey(span.spanId)) return; // a duplicate: the first copy wins
        arrived(t);
        t.spanCount++;
        if (span.error) t.errorSpans++;
        seen(t, span.eventTimeMillis());
        t.minSpanStart = Math.min(t.minSpanStart, span.startMillis());
        t.maxSpanEnd = Math.max(t.maxSpanEnd, span.endMillis());
        service(t, span.service);
        env(t, span.env);
        if (t.legacyTraceId == null) t.legacyTraceId = span.legacyTraceId;
        if (span.parentSpanId == null && betterRoot(t.root, span)) t.root = span;
        if (t.tracked.size() < cfg.maxSpansTracked) {
            t.tracked.put(span.spanId, span);
            // Logs that named this span and wait for it are decided now, with its name.
            for (Iterator<Map.Entry<LogEvent, Long>> it = t.waiting.iterator(); it.hasNext(); ) {
                LogEvent log = it.next().getKey();
                if (span.spanId.equals(log.spanId)) {
                    decide(t, log, log.spanId, span.name, false);
                    it.remove();
                }
            }
        } else {
            t.truncated = true;
        }
    }

    void log(LogEvent log) {
        Trace t = traceFor(log.traceId, log.eventTimeMillis());
        if (t == null) {
            // Expired: on to Loki with what it says itself.
            decided.add(decision(log, CorrelationIds.forTrace(log.traceId), log.spanId, null, false));
            return;
        }
        List<Object> key = List.of(log.timeNanos, String.valueOf(log.spanId), String.valueOf(log.body));
        if (t.logKeys.contains(key)) return; // a duplicate
        arrived(t);
        if (t.logKeys.size() < cfg.maxSpansTracked) t.logKeys.add(key);
        else t.truncated = true;
        t.logCount++;
        if (Severity.isError(log.severityNumber)) t.errorLogs++;
        t.maxSeverity = Math.max(t.maxSeverity, log.severityNumber);
        seen(t, log.eventTimeMillis());
        service(t, log.service);
        env(t, log.env);
        if (t.legacyTraceId == null) t.legacyTraceId = log.legacyTraceId;
        if (log.spanId != null) {
            count(t, log.spanId, false); // attributed on arrival, shown once the span is known
            SpanEvent span = t.tracked.get(log.spanId);
            if (span != null) {
                decide(t, log, log.spanId, span.name, false);
                return;
            }
        }
        t.waiting.add(Map.entry(log, now));
    }

    /** The trace's state, or a new one; null when the event is expired (SPEC §3, docs/semantics.md). */
    private Trace traceFor(String traceId, long eventTime) {
        Trace t = traces.get(traceId);
        if (t != null) return t;
        Long cleared = clearedAt.get(traceId);
        boolean tooOld = watermark != Long.MIN_VALUE && eventTime + cfg.windowMs + cfg.ttlMs < watermark;
        if (tooOld || (cleared != null && now < cleared + cfg.ttlMs)) {
            happened(tooOld ? "expired by watermark" : "expired after clean-up");
            return null;
        }
        if (cleared != null) happened("started again after its tombstone");
        t = new Trace(traceId);
        traces.put(traceId, t);
        return t;
    }

    private void arrived(Trace t) {
        if (t.closed) {
            t.lateEvents++;
            happened("late event");
        }
        t.lastArrival = now;
    }

    private static void seen(Trace t, long eventTime) {
        t.firstSeen = Math.min(t.firstSeen, eventTime);
        t.lastSeen = Math.max(t.lastSeen, eventTime);
    }

    private void service(Trace t, String service) {
        if (service == null || t.services.contains(service)) return;
        if (t.services.size() < cfg.maxServices) t.services.add(service);
        else t.truncated = true;
    }

    private static void env(Trace t, String env) {
        if (env != null && (t.minEnv == null || env.compareTo(t.minEnv) < 0)) t.minEnv = env;
    }

    /** Several parentless spans: the earliest start, ties to the smallest span id. */
    private static boolean betterRoot(SpanEvent root, SpanEvent span) {
        if (root == null) return true;
        if (span.startTimeNanos != root.startTimeNanos) return span.startTimeNanos < root.startTimeNanos;
        return span.spanId.compareTo(root.spanId) < 0;
    }

    /** One log for the span id's link; at most MAX_SPANS_TRACKED_PER_TRACE span ids have counts. */
    private void count(Trace t, String spanId, boolean inferred) {
        long[] c = t.linkCounts.get(spanId);
        if (c == null) {
            if (t.linkCounts.size() >= cfg.maxSpansTracked) {
                t.truncated = true;
                return;
            }
            c = new long[2];
            t.linkCounts.put(spanId, c);
        }
        c[0]++;
        if (inferred) c[1]++;
    }

    // ---- rules --------------------------------------------------------------------------------------

    private void evaluateAll() {
        for (Trace t : new ArrayList<>(traces.values())) evaluate(t);
    }

    private void evaluate(Trace t) {
        if (t.closed && now >= t.closedAt + cfg.ttlMs) {
            decideWaiting(t, true);
            lastRecords.put(t.traceId, record(t)); // what changed since the last emission is emitted first
            if (t.truncated) happened("truncated");
            traces.remove(t.traceId);
            clearedAt.put(t.traceId, now);
            return;
        }
        decideWaiting(t, false);
        if (!t.closed && (watermark >= t.lastSeen + cfg.windowMs || now >= t.lastArrival + cfg.windowMs)) {
            decideWaiting(t, true);
            t.closed = true;
            t.closedAt = now;
        }
    }

    /** Decides the logs whose wait is over (all of them when {@code all}): those with a span id first. */
    private void decideWaiting(Trace t, boolean all) {
        List<Map.Entry<LogEvent, Long>> due = new ArrayList<>();
        for (Map.Entry<LogEvent, Long> w : t.waiting) {
            LogEvent log = w.getKey();
            if (all || watermark >= log.eventTimeMillis() + cfg.joinSlackMs || now >= w.getValue() + cfg.joinMaxWaitMs) {
                due.add(w);
            }
        }
        t.waiting.removeAll(due);
        for (Map.Entry<LogEvent, Long> w : due) {
            LogEvent log = w.getKey();
            if (log.spanId == null) continue;
            SpanEvent span = t.tracked.get(log.spanId);
            decide(t, log, log.spanId, span == null ? null : span.name, false);
        }
        for (Map.Entry<LogEvent, Long> w : due) {
            LogEvent log = w.getKey();
            if (log.spanId != null) continue;
            SpanEvent chosen = innermost(t, log);
            if (chosen != null) {
                count(t, chosen.spanId, true);
                happened("inferred join");
            }
            decide(t, log, chosen == null ? null : chosen.spanId, chosen == null ? null : chosen.name, chosen != null);
        }
    }

    /**
     * SPEC §3: among the trace's spans of the log's service whose [start − slack, end + slack] holds the
     * log's time, the latest start; ties to the smallest span id.
     */
    private SpanEvent innermost(Trace t, LogEvent log) {
        long slack = cfg.joinSlackMs * 1_000_000L;
        SpanEvent best = null;
        for (SpanEvent s : t.tracked.values()) {
            if (!s.service.equals(log.service)) continue;
            if (log.timeNanos < s.startTimeNanos - slack || log.timeNanos > s.endTimeNanos + slack) continue;
            if (best == null || s.startTimeNanos > best.startTimeNanos
                    || (s.startTimeNanos == best.startTimeNanos && s.spanId.compareTo(best.spanId) < 0)) {
                best = s;
            }
        }
        return best;
    }

    private void decide(Trace t, LogEvent log, String spanId, String spanName, boolean inferred) {
        decided.add(decision(log, t.correlationId, spanId, spanName, inferred));
    }

    /** A decided log as Loki would get it: the log's identity and what the join said. */
    static String decision(LogEvent log, String correlationId, String spanId, String spanName, boolean inferred) {
        return log.traceId + " " + log.timeNanos + " " + log.spanId + " " + log.body + " -> " + correlationId + " "
                + spanId + " " + spanName + (inferred ? " inferred" : "");
    }

    // ---- the record (SPEC §4) -----------------------------------------------------------------------

    private String record(Trace t) {
        CorrelationRecord r = new CorrelationRecord();
        r.correlationId = t.correlationId;
        r.traceId = t.traceId;
        r.legacyTraceId = t.legacyTraceId;
        r.status = t.closed ? CorrelationRecord.CLOSED : CorrelationRecord.OPEN;
        r.firstSeen = RecordCodec.formatTime(t.firstSeen);
        r.lastSeen = RecordCodec.formatTime(t.lastSeen);
        r.durationMs = t.spanCount > 0 ? t.maxSpanEnd - t.minSpanStart : t.lastSeen - t.firstSeen;
        r.root = t.root == null ? null : new CorrelationRecord.Root(t.root.service, t.root.name, t.root.spanId);
        List<String> services = new ArrayList<>(t.services);
        services.sort(Comparator.naturalOrder());
        r.services = services;
        r.service = t.root != null ? t.root.service : (services.isEmpty() ? null : services.get(0));
        r.env = t.root != null && t.root.env != null ? t.root.env : t.minEnv;
        r.spanCount = t.spanCount;
        r.logCount = t.logCount;
        r.errorSpanCount = t.errorSpans;
        r.errorLogCount = t.errorLogs;
        r.maxSeverity = Severity.shortName(t.maxSeverity);
        r.hasError = t.errorSpans > 0 || t.errorLogs > 0;

        // edges: tracked parent→child pairs of different listed services, per pair
        Map<List<String>, CorrelationRecord.Edge> edges = new TreeMap<>(Comparator.<List<String>, String>comparing(
                k -> k.get(0)).thenComparing(k -> k.get(1)));
        for (SpanEvent child : t.tracked.values()) {
            SpanEvent parent = child.parentSpanId == null ? null : t.tracked.get(child.parentSpanId);
            if (parent == null || parent.service.equals(child.service)) continue;
            if (!t.services.contains(parent.service) || !t.services.contains(child.service)) continue;
            CorrelationRecord.Edge e = edges.computeIfAbsent(List.of(parent.service, child.service),
                    k -> new CorrelationRecord.Edge(k.get(0), k.get(1), 0, 0));
            e.calls++;
            if (child.error) e.errors++;
        }
        r.edges = new ArrayList<>(edges.values());

        // links: known spans of listed services with a log, earliest start first, capped
        List<SpanEvent> withLogs = new ArrayList<>();
        for (Map.Entry<String, long[]> c : t.linkCounts.entrySet()) {
            SpanEvent span = t.tracked.get(c.getKey());
            if (span != null && c.getValue()[0] > 0 && t.services.contains(span.service)) withLogs.add(span);
        }
        withLogs.sort(Comparator.<SpanEvent>comparingLong(s -> s.startTimeNanos).thenComparing(s -> s.spanId));
        r.links = new ArrayList<>();
        for (SpanEvent span : withLogs.subList(0, Math.min(withLogs.size(), cfg.maxLinks))) {
            long[] c = t.linkCounts.get(span.spanId);
            r.links.add(new CorrelationRecord.Link(span.spanId, span.name, span.service, c[0], c[1]));
        }
        r.lateEvents = t.lateEvents;
        r.truncated = t.truncated || withLogs.size() > cfg.maxLinks;
        return content(r);
    }

    /** A record's content: everything but {@code version} and {@code updated_at}, which it sets to 0 and the epoch. */
    static String content(CorrelationRecord r) {
        long version = r.version;
        String updatedAt = r.updatedAt;
        r.version = 0;
        r.updatedAt = RecordCodec.formatTime(0);
        try {
            return RecordCodec.toJson(r);
        } finally {
            r.version = version;
            r.updatedAt = updatedAt;
        }
    }

    // ---- what the test compares ---------------------------------------------------------------------

    /** Each trace id's current record: the live trace's, or the last one a cleared trace had. */
    Map<String, String> records() {
        Map<String, String> out = new TreeMap<>(lastRecords);
        for (Trace t : traces.values()) out.put(t.traceId, record(t));
        return out;
    }

    /** Every decided log so far, as {@link #decision} writes them, sorted. */
    List<String> decisions() {
        List<String> out = new ArrayList<>(decided);
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** How often each notable rule applied (expired events, late events, inferred joins, …). */
    Map<String, Integer> happened() {
        return happened;
    }

    private void happened(String what) {
        happened.merge(what, 1, Integer::sum);
    }

    boolean waitingLogs() {
        for (Trace t : traces.values()) if (!t.waiting.isEmpty()) return true;
        return false;
    }
}
