package org.correlationstation.job.correlate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.job.types.CompactTypes;
import org.correlationstation.job.types.TraceLogs;
import org.correlationstation.job.types.TraceSpans;

/**
 * The per-trace correlator (SPEC §3): keyed by trace id, spans on input 1 and logs on input 2. It joins
 * logs to spans with interval semantics that never drop a log (every log leaves through
 * {@link #DECIDED_LOGS} once decided), keeps the trace's aggregates, emits its record while open and
 * when it closes, takes late events into the same record, and clears everything after the TTL.
 *
 * <p>Each trace holds at most one event-time and one processing-time timer: whenever its state changes
 * the earliest moment anything can become due is recomputed, and every firing re-evaluates all rules.
 * That keeps the timer count independent of the event count and makes clearing exact, which is why
 * no state has a Flink state TTL.
 *
 * <p>Pending logs are indexed by the span id they wait for (one bucket for logs without span id), and
 * the summary keeps their earliest due times: a span arrival decides its logs with one point lookup,
 * and a timer looks at the pending logs only when one of them is due.
 */
public class TraceCorrelator extends KeyedCoProcessFunction<String, TraceSpans, TraceLogs, CorrelationRecord>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<JoinedLog> DECIDED_LOGS = new OutputTag<>("decided-logs", StateTypes.JOINED_LOG);

    private final CorrelationSettings cfg;

    private transient ValueState<TraceSummary> summaryState;
    private transient MapState<String, SpanInfo> spansState;
    private transient MapState<Long, Boolean> logsState;
    private transient MapState<String, LinkCounts> linksState;
    /** Pending logs by the span id they wait for. */
    private transient MapState<String, PendingLog[]> pendingState;
    /** Pending logs without span id, appended without reading (they are decided together). */
    private transient ListState<PendingLog> traceOnlyState;
    private transient ListState<Long> openTracesState;
    private transient CorrelatorMetrics metrics;
    private transient long openTraces;

    public TraceCorrelator(CorrelationSettings cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext openContext) {
        // No Flink state TTL: every trace's clean-up timer clears all of its state (docs/semantics.md).
        // Hand-written serializers (StateTypes): the POJO serializer's reflection and Flink's String
        // encoding were the largest costs of reading state.
        ValueStateDescriptor<TraceSummary> summary = new ValueStateDescriptor<>("summary", StateTypes.SUMMARY);
        MapStateDescriptor<String, SpanInfo> spans =
                new MapStateDescriptor<>("spans", CompactTypes.HEX_ID, StateTypes.SPAN_INFO);
        MapStateDescriptor<Long, Boolean> logs = new MapStateDescriptor<>("log-fingerprints", Types.LONG, Types.BOOLEAN);
        MapStateDescriptor<String, LinkCounts> links =
                new MapStateDescriptor<>("links", CompactTypes.HEX_ID, StateTypes.LINK_COUNTS);
        MapStateDescriptor<String, PendingLog[]> pending = new MapStateDescriptor<>("pending-by-span",
                CompactTypes.HEX_ID, ObjectArrayTypeInfo.getInfoFor(PendingLog[].class, StateTypes.PENDING_LOG));
        ListStateDescriptor<PendingLog> traceOnly = new ListStateDescriptor<>("pending-trace-only", StateTypes.PENDING_LOG);
        summaryState = getRuntimeContext().getState(summary);
        spansState = getRuntimeContext().getMapState(spans);
        logsState = getRuntimeContext().getMapState(logs);
        linksState = getRuntimeContext().getMapState(links);
        pendingState = getRuntimeContext().getMapState(pending);
        traceOnlyState = getRuntimeContext().getListState(traceOnly);
        metrics = new CorrelatorMetrics(getRuntimeContext().getMetricGroup(), () -> openTraces);
    }

    @Override
    public void processElement1(TraceSpans batch, Context ctx, Collector<CorrelationRecord> out) throws Exception {
        TraceSummary s = summaryState.value();
        // A trace without state has no tracked spans: duplicates can only be within the batch.
        Set<String> tracked = s == null ? new HashSet<>() : null;
        boolean wasTruncated = s != null && s.truncated;
        for (SpanEvent span : batch.spans) {
            if (s == null && (s = newSummary(span.eventTimeMillis(), ctx)) == null) continue;
            if (span.spanId != null && (tracked != null ? tracked.contains(span.spanId) : spansState.contains(span.spanId))) {
                continue; // duplicate: first copy wins
            }
            metrics.spans.inc();
            arrived(s, ctx);
            s.addSpan(span, cfg.maxServices);
            if (span.spanId == null) continue;
            if (s.trackedSpans < cfg.maxSpansTracked) {
                SpanInfo info = spanInfo(span);
                spansState.put(span.spanId, info);
                if (tracked != null) tracked.add(span.spanId);
                s.trackedSpans++;
                if (s.pendingWithSpanId > 0) decideForSpan(s, ctx, span.spanId, info);
            } else {
                s.truncated = true;
            }
        }
        if (s != null) finish(s, wasTruncated, ctx);
    }

    @Override
    public void processElement2(TraceLogs batch, Context ctx, Collector<CorrelationRecord> out) throws Exception {
        TraceSummary s = summaryState.value();
        // A trace without state has no fingerprints or spans yet: nothing to look up.
        Set<Long> tracked = s == null ? new HashSet<>() : null;
        boolean wasTruncated = s != null && s.truncated;
        // Per span id, the batch's explicit logs (one link update each) and the span's state (one lookup each).
        Map<String, Integer> explicitLinks = new LinkedHashMap<>();
        Map<String, SpanInfo> knownSpans = new HashMap<>();
        for (LogEvent log : batch.logs) {
            if (s == null && (s = newSummary(log.eventTimeMillis(), ctx)) == null) {
                // Expired: not correlated, but it still goes on to Loki (SPEC §3), with what it says itself.
                ctx.output(DECIDED_LOGS, new JoinedLog(log, CorrelationIds.forTrace(ctx.getCurrentKey()), log.spanId,
                        null, false));
                continue;
            }
            long fingerprint = log.fingerprint();
            if (tracked != null ? tracked.contains(fingerprint) : logsState.contains(fingerprint)) {
                continue; // duplicate: first copy wins
            }
            metrics.logs.inc();
            arrived(s, ctx);
            if (s.trackedLogs < cfg.maxSpansTracked) {
                logsState.put(fingerprint, Boolean.TRUE);
                if (tracked != null) tracked.add(fingerprint);
                s.trackedLogs++;
            } else {
                s.truncated = true;
            }
            s.addLog(log, cfg.maxServices);
            SpanInfo span = null;
            if (log.spanId != null) {
                // A log that names its span is attributed to it at once; the link shows once the span is known.
                explicitLinks.merge(log.spanId, 1, Integer::sum);
                if (s.trackedSpans > 0) {
                    span = knownSpans.containsKey(log.spanId) ? knownSpans.get(log.spanId) : spansState.get(log.spanId);
                    knownSpans.put(log.spanId, span);
                }
            }
            if (span != null) {
                ctx.output(DECIDED_LOGS, new JoinedLog(log, s.correlationId, log.spanId, span.name, false));
            } else {
                pend(s, log, ctx.timerService().currentProcessingTime());
            }
        }
        for (Map.Entry<String, Integer> link : explicitLinks.entrySet()) attribute(s, link.getKey(), link.getValue(), 0);
        if (s != null) finish(s, wasTruncated, ctx);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CorrelationRecord> out) throws Exception {
        TraceSummary s = summaryState.value();
        if (s == null) return;
        if (ctx.timeDomain() == TimeDomain.EVENT_TIME && timestamp == s.eventTimer) s.eventTimer = 0;
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME && timestamp == s.processingTimer) s.processingTimer = 0;
        long now = ctx.timerService().currentProcessingTime();
        long watermark = ctx.timerService().currentWatermark();
        boolean wasTruncated = s.truncated;

        if (s.closed && now >= s.closedAt + cfg.ttlMs) {
            decideDue(s, ctx, true);
            if (s.dirty) emit(s, now, out); // what changed since the last emission is not lost
            if (s.truncated && !wasTruncated) metrics.truncated.inc();
            clear(s, ctx);
            return;
        }
        if (anyPendingDue(s, now, watermark)) decideDue(s, ctx, false);
        if (!s.closed && (watermark >= s.lastSeen + cfg.windowMs || now >= s.lastArrival + cfg.windowMs)) {
            decideDue(s, ctx, true);
            s.closed = true;
            s.closedAt = now;
            s.dirty = true;
            openTraces--;
            emit(s, now, out);
        } else if (s.dirty && now >= nextEmitAt(s)) {
            emit(s, now, out);
        }
        if (s.truncated && !wasTruncated) metrics.truncated.inc();
        syncTimers(s, ctx);
    }

    /** A new summary for a trace's first event; null for an expired event (SPEC §3). */
    private TraceSummary newSummary(long eventTime, Context ctx) {
        long watermark = ctx.timerService().currentWatermark();
        if (watermark != Long.MIN_VALUE && eventTime + cfg.windowMs + cfg.ttlMs < watermark) {
            // Its trace closed and was cleared long ago: its record stays as it is.
            metrics.expired.inc();
            return null;
        }
        TraceSummary s = new TraceSummary();
        s.traceId = ctx.getCurrentKey();
        s.correlationId = CorrelationIds.forTrace(s.traceId);
        s.firstArrival = ctx.timerService().currentProcessingTime();
        openTraces++;
        return s;
    }

    private void arrived(TraceSummary s, Context ctx) {
        if (s.closed) {
            s.lateEvents++;
            metrics.late.inc();
        }
        s.lastArrival = ctx.timerService().currentProcessingTime();
        s.dirty = true;
    }

    private void finish(TraceSummary s, boolean wasTruncated, Context ctx) throws Exception {
        if (s.truncated && !wasTruncated) metrics.truncated.inc();
        syncTimers(s, ctx);
    }

    private void attribute(TraceSummary s, String spanId, boolean inferred) throws Exception {
        attribute(s, spanId, 1, inferred ? 1 : 0);
    }

    private void attribute(TraceSummary s, String spanId, int logs, int inferred) throws Exception {
        LinkCounts counts = linksState.get(spanId);
        if (counts == null) {
            if (s.linkEntries >= cfg.maxLinks) {
                s.truncated = true;
                return;
            }
            counts = new LinkCounts();
            s.linkEntries++;
        }
        counts.logCount += logs;
        counts.inferredLogCount += inferred;
        linksState.put(spanId, counts);
    }

    private void pend(TraceSummary s, LogEvent log, long now) throws Exception {
        if (log.spanId == null) {
            traceOnlyState.add(new PendingLog(log, now));
        } else {
            PendingLog[] bucket = pendingState.get(log.spanId);
            PendingLog[] grown = bucket == null ? new PendingLog[1] : Arrays.copyOf(bucket, bucket.length + 1);
            grown[grown.length - 1] = new PendingLog(log, now);
            pendingState.put(log.spanId, grown);
            s.pendingWithSpanId++;
        }
        s.pendingLogs++;
        s.pendingDueEventTime = Math.min(s.pendingDueEventTime, log.eventTimeMillis() + cfg.joinSlackMs);
        s.pendingDueProcessingTime = Math.min(s.pendingDueProcessingTime, now + cfg.joinMaxWaitMs);
    }

    /**
     * Decides the pending logs waiting for the span that just arrived: one point lookup of their bucket,
     * joined with that span. The earliest due times stay as they are (at worst early: a timer that finds
     * nothing due only recomputes them).
     */
    private void decideForSpan(TraceSummary s, Context ctx, String spanId, SpanInfo span) throws Exception {
        PendingLog[] bucket = pendingState.get(spanId);
        if (bucket == null) return;
        pendingState.remove(spanId);
        for (PendingLog p : bucket) {
            ctx.output(DECIDED_LOGS, new JoinedLog(p.log, s.correlationId, spanId, span.name, false));
        }
        s.pendingLogs -= bucket.length;
        s.pendingWithSpanId -= bucket.length;
    }

    /** Whether any pending log's wait can be over: the summary keeps the earliest due time per domain. */
    private boolean anyPendingDue(TraceSummary s, long now, long watermark) {
        return s.pendingLogs > 0 && (watermark >= s.pendingDueEventTime || now >= s.pendingDueProcessingTime);
    }

    /**
     * Decides the pending logs whose wait is over, or all of them when {@code force}, and recomputes the
     * earliest due times of those left. Only called when something is due (or on close), so a timer that
     * fires for another rule (emission, closing) does not touch the pending logs.
     */
    private void decideDue(TraceSummary s, Context ctx, boolean force) throws Exception {
        DueRound round = new DueRound(ctx.timerService().currentProcessingTime(), ctx.timerService().currentWatermark(),
                force);
        if (s.pendingWithSpanId > 0) decideWithSpanId(s, ctx, round);
        if (s.pendingLogs > s.pendingWithSpanId) decideTraceOnly(s, ctx, round);
        s.pendingDueEventTime = round.dueEvent;
        s.pendingDueProcessingTime = round.dueProcessing;
    }

    /** One decision round: its clocks, and the earliest due times of the logs it keeps. */
    private final class DueRound {
        final long now;
        final long watermark;
        final boolean force;
        long dueEvent = Long.MAX_VALUE;
        long dueProcessing = Long.MAX_VALUE;

        DueRound(long now, long watermark, boolean force) {
            this.now = now;
            this.watermark = watermark;
            this.force = force;
        }

        /** Whether the log's wait is over; if not, its due times count towards the next timer. */
        boolean due(PendingLog p) {
            long eventDue = p.log.eventTimeMillis() + cfg.joinSlackMs;
            long processingDue = p.arrivedAt + cfg.joinMaxWaitMs;
            if (force || watermark >= eventDue || now >= processingDue) return true;
            dueEvent = Math.min(dueEvent, eventDue);
            dueProcessing = Math.min(dueProcessing, processingDue);
            return false;
        }
    }

    /** Logs whose span is unknown (or known but beyond the tracking cap) once their wait is over. */
    private void decideWithSpanId(TraceSummary s, Context ctx, DueRound round) throws Exception {
        Map<String, PendingLog[]> changed = new HashMap<>();
        int decided = 0;
        for (Map.Entry<String, PendingLog[]> e : pendingState.entries()) {
            PendingLog[] bucket = e.getValue();
            List<PendingLog> kept = new ArrayList<>(0);
            for (PendingLog p : bucket) {
                if (!round.due(p)) {
                    kept.add(p);
                    continue;
                }
                decided++;
                SpanInfo span = spansState.get(p.log.spanId);
                ctx.output(DECIDED_LOGS, new JoinedLog(p.log, s.correlationId, p.log.spanId,
                        span == null ? null : span.name, false));
            }
            if (kept.size() != bucket.length) {
                changed.put(e.getKey(), kept.isEmpty() ? null : kept.toArray(new PendingLog[0]));
            }
        }
        for (Map.Entry<String, PendingLog[]> c : changed.entrySet()) {
            if (c.getValue() == null) pendingState.remove(c.getKey());
            else pendingState.put(c.getKey(), c.getValue());
        }
        s.pendingLogs -= decided;
        s.pendingWithSpanId -= decided;
    }

    /** Logs without span id: joined to the innermost span of their service that holds their time. */
    private void decideTraceOnly(TraceSummary s, Context ctx, DueRound round) throws Exception {
        List<PendingLog> kept = new ArrayList<>(0);
        Map<String, SpanInfo> spans = null;
        SpanIntervals intervals = null;
        int decided = 0;
        for (PendingLog p : traceOnlyState.get()) {
            if (!round.due(p)) {
                kept.add(p);
                continue;
            }
            decided++;
            if (intervals == null) {
                spans = loadSpans();
                intervals = new SpanIntervals(spans);
            }
            LogEvent log = p.log;
            String chosen = intervals.innermost(log.service, log.timeNanos, cfg.joinSlackMs * 1_000_000L);
            if (chosen != null) {
                attribute(s, chosen, true);
                s.dirty = true;
            }
            ctx.output(DECIDED_LOGS, new JoinedLog(log, s.correlationId, chosen,
                    chosen == null ? null : spans.get(chosen).name, chosen != null));
        }
        if (decided == 0) return;
        if (kept.isEmpty()) traceOnlyState.clear();
        else traceOnlyState.update(kept);
        s.pendingLogs -= decided;
    }

    private void emit(TraceSummary s, long now, Collector<CorrelationRecord> out) throws Exception {
        s.dirty = false;
        CorrelationRecord record = RecordAssembler.assemble(s, loadSpans(), loadLinks());
        long hash = ContentHash.of(record);
        if (s.emitted && hash == s.lastContentHash) return;
        s.version++;
        s.emitted = true;
        s.lastEmitAt = now;
        s.lastContentHash = hash;
        record.version = s.version;
        record.updatedAt = RecordCodec.formatTime(now);
        out.collect(record);
        metrics.emitted(now - s.lastSeen);
    }

    private long nextEmitAt(TraceSummary s) {
        return (s.emitted ? s.lastEmitAt : s.firstArrival) + cfg.emitIntervalMs;
    }

    /**
     * Registers the earliest moment in each time domain at which a rule can become due, and writes the
     * summary back (the one state write per event or timer).
     */
    private void syncTimers(TraceSummary s, Context ctx) throws Exception {
        long event = Long.MAX_VALUE;
        long processing;
        if (s.closed) {
            processing = s.closedAt + cfg.ttlMs;
        } else {
            event = s.lastSeen + cfg.windowMs;
            processing = s.lastArrival + cfg.windowMs;
        }
        if (s.pendingLogs > 0) {
            event = Math.min(event, s.pendingDueEventTime);
            processing = Math.min(processing, s.pendingDueProcessingTime);
        }
        if (s.dirty) processing = Math.min(processing, nextEmitAt(s));
        long wantEvent = event == Long.MAX_VALUE ? 0 : event;
        if (wantEvent != s.eventTimer) {
            if (s.eventTimer != 0) ctx.timerService().deleteEventTimeTimer(s.eventTimer);
            if (wantEvent != 0) ctx.timerService().registerEventTimeTimer(wantEvent);
            s.eventTimer = wantEvent;
        }
        if (processing != s.processingTimer) {
            if (s.processingTimer != 0) ctx.timerService().deleteProcessingTimeTimer(s.processingTimer);
            ctx.timerService().registerProcessingTimeTimer(processing);
            s.processingTimer = processing;
        }
        summaryState.update(s);
    }

    private void clear(TraceSummary s, Context ctx) {
        if (s.eventTimer != 0) ctx.timerService().deleteEventTimeTimer(s.eventTimer);
        if (s.processingTimer != 0) ctx.timerService().deleteProcessingTimeTimer(s.processingTimer);
        summaryState.clear();
        spansState.clear();
        logsState.clear();
        linksState.clear();
        pendingState.clear();
        traceOnlyState.clear();
    }

    private Map<String, SpanInfo> loadSpans() throws Exception {
        Map<String, SpanInfo> spans = new HashMap<>();
        for (Map.Entry<String, SpanInfo> e : spansState.entries()) spans.put(e.getKey(), e.getValue());
        return spans;
    }

    private Map<String, LinkCounts> loadLinks() throws Exception {
        Map<String, LinkCounts> links = new HashMap<>();
        for (Map.Entry<String, LinkCounts> e : linksState.entries()) links.put(e.getKey(), e.getValue());
        return links;
    }

    private static SpanInfo spanInfo(SpanEvent span) {
        SpanInfo info = new SpanInfo();
        info.name = span.name;
        info.service = span.service;
        info.parentSpanId = span.parentSpanId;
        info.startNanos = span.startTimeNanos;
        info.endNanos = span.endTimeNanos;
        info.error = span.error;
        return info;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        openTracesState.update(List.of(openTraces));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        openTracesState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("open-traces", Types.LONG));
        openTraces = 0;
        for (Long n : openTracesState.get()) openTraces += n;
    }
}
