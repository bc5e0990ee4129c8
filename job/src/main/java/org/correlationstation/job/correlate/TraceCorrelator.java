package org.correlationstation.job.correlate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.MapTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.job.types.CompactEncoding;
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
 * the trace's state has no Flink state TTL (only the tombstone a cleared trace leaves, which makes its
 * later events expired, has one, to collect it). A closed trace with nothing left to decide or emit
 * holds no timer: its clean-up is handed to {@link TraceCorrelatorOperator}, which fires the trace's
 * timer when due.
 *
 * <p>State is read and written once per batch, not per event: the tracked spans (one list, a batch
 * appended without reading), the sets of tracked span ids and log fingerprints (sorted {@code long[]}
 * values), the link counts (one map value), and the pending logs (two lists, appended without reading).
 * The summary keeps the pending logs' earliest due times, so a timer looks at them only when one of
 * them is due. When a trace closes, its spans, id set, fingerprints, link counts and counted edges move
 * into one compact value ({@link ClosedTrace}): closed traces are most of what a correlator holds. Most
 * traces take that form earlier, when they are written back quiet after their first emission, from what
 * is held ({@link #toCompactForm}): their close then reads two values instead of six.
 *
 * <p>Processing-time timers sit on a grid (a tenth of the emit interval, at most 100 ms): traces due
 * within one grid step share one timer firing instead of waking the timer thread once each.
 */
public class TraceCorrelator extends KeyedCoProcessFunction<String, TraceSpans, TraceLogs, CorrelationRecord>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<JoinedLog> DECIDED_LOGS = new OutputTag<>("decided-logs", StateTypes.JOINED_LOG);
    /** Increments of the service graph per time bucket and element ({@link GraphIncrements}). */
    public static final OutputTag<GraphUpdate> GRAPH_INCREMENTS = new OutputTag<>("graph-increments", CompactTypes.GRAPH_UPDATE);

    private static final long MAX_TIMER_GRID_MS = 100;
    /**
     * Bounds of {@link RecentSpans} per subtask: ~330 bytes per span held and ~100 per link, so ~45 MB; at
     * 25k spans/s a subtask holds its last ~4 s of traces, past the trace-only logs' decision
     * ({@code JOIN_MAX_WAIT_MS}).
     */
    private static final int RECENT_SPANS = 100_000;
    private static final int RECENT_TRACES = 20_000;
    /**
     * Bound of {@link HeldPending} per subtask: a log is ~0.5-1 KB, so up to ~50 MB; at 15k logs/s waiting
     * at most {@code JOIN_MAX_WAIT_MS} (2 s), a subtask holds ~30k.
     */
    private static final int HELD_PENDING_LOGS = 50_000;
    /** Bound of {@link RecentSummaries} per subtask: a summary is a few hundred bytes. */
    private static final int RECENT_SUMMARIES = 20_000;
    /**
     * A held summary unchanged this long is written back: past a trace's first burst of batches (its span
     * and log batches come within tens of milliseconds of each other), and again after its first emission.
     * What is unsaved when a checkpoint comes is written in its synchronous part, on the task thread: the
     * changes of the last {@code SUMMARY_QUIET_MS} (1 s profiled at a fifth of that part, which delays
     * every record in flight).
     */
    private static final long SUMMARY_QUIET_MS = 400;
    private static final Duration TOMBSTONE_TTL_MARGIN = Duration.ofMinutes(5);
    /**
     * Bound on the tracked spans of an open trace put into compact form ({@link #toCompactForm}): a batch
     * that comes after reads and rewrites the whole value, so a trace still trickling in thousands of spans
     * keeps the open form's appended list until it closes.
     */
    private static final int COMPACT_OPEN_MAX_SPANS = 1_000;
    /** Bound of {@link GraphBuffer}: buckets × services and pairs a subtask sees while it holds them. */
    private static final int GRAPH_BUFFER_ELEMENTS = 4096;

    private final CorrelationSettings cfg;

    private transient ValueState<TraceSummary> summaryState;
    /**
     * The tracked spans, appended a batch at a time (a RocksDB merge, no read). Emission and inferred
     * joins want all of them, and one value is read at a fraction of the cost of a scan over one key per
     * span; a log batch reads them only when it names a tracked span ({@link #knownSpans}).
     */
    private transient ListState<SpanInfo> spansState;
    /** Tracked span ids that are canonical (16 hex digits) as longs; other ids are looked up in the spans. */
    private transient ValueState<long[]> spanIdsState;
    private transient ValueState<long[]> fingerprintsState;
    /** Log counts by span id: one value, as a log batch touches many spans and emission reads them all. */
    private transient ValueState<Map<String, LinkCounts>> linksState;
    /** Pending logs that name their span, appended without reading; a span batch decides them in one pass. */
    private transient ListState<PendingLog> pendingState;
    /** Pending logs without span id, appended without reading (they are decided together). */
    private transient ListState<PendingLog> traceOnlyState;
    /**
     * When the trace's state was cleared (processing time): a tombstone, so that an event for a cleared
     * trace is expired whatever its own timestamp, for as long as the trace's last record can still be in
     * Redis ({@link #recentlyCleared}).
     */
    private transient ValueState<Long> clearedState;
    /**
     * The child spans already counted in the service graph's edges (ids as in {@link GraphIncrements#idKey}):
     * a child is counted once its parent is known, which may be long after either arrived. Only traces
     * with edges across services have it.
     */
    private transient ValueState<long[]> graphEdgesState;
    /**
     * A closed trace's spans, fingerprints, links and counted edges as one compact value, in place of the
     * five states above ({@link ClosedTrace}); written when the trace closes ({@link #toClosedForm}).
     */
    private transient ValueState<ClosedTrace> closedTraceState;
    private transient GraphBuffer graphBuffer;
    private transient GraphWakeUp graphWakeUp;
    /** Whether the current call's trace is a recently cleared one (null: not looked up yet in this call). */
    private transient Boolean currentCleared;
    /** Processing-time timers are rounded to multiples of this. */
    private transient long timerGrid;
    /** The current trace's spans once scanned, for the rest of one call (reset on every entry). */
    private transient Map<String, SpanInfo> timerSpans;
    /** The current call's trace id (set on every entry). */
    private transient String currentTrace;
    private transient RecentSpans recentSpans;
    private transient RecentSummaries recentSummaries;
    private transient HeldPending heldPending;
    private transient ListState<Long> openTracesState;
    private transient CorrelatorMetrics metrics;
    private transient long openTraces;
    private transient ClearingSchedule clearing;
    private transient OtherTraces otherTraces;

    public TraceCorrelator(CorrelationSettings cfg) {
        this.cfg = cfg;
    }

    /** Set by the operator before {@link #open}: what a keyed function cannot do itself. */
    void attach(ClearingSchedule schedule, OtherTraces others, GraphWakeUp wakeUp) {
        clearing = schedule;
        otherTraces = others;
        graphWakeUp = wakeUp;
    }

    @Override
    public void open(OpenContext openContext) {
        if (clearing == null || otherTraces == null || graphWakeUp == null) {
            throw new IllegalStateException("TraceCorrelator runs in a TraceCorrelatorOperator (the clean-up of closed traces)");
        }
        // No Flink state TTL on the trace's state: its clean-up clears all of it (docs/semantics.md). Only the
        // tombstone left behind has one.
        // Hand-written serializers (StateTypes): the POJO serializer's reflection and Flink's String
        // encoding were the largest costs of reading state.
        ValueStateDescriptor<TraceSummary> summary = new ValueStateDescriptor<>("summary", StateTypes.SUMMARY);
        ListStateDescriptor<SpanInfo> spans = new ListStateDescriptor<>("span-list", StateTypes.SPAN_INFO);
        ValueStateDescriptor<long[]> spanIds =
                new ValueStateDescriptor<>("span-id-set", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
        ValueStateDescriptor<long[]> logs =
                new ValueStateDescriptor<>("log-fingerprint-set", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
        ValueStateDescriptor<Map<String, LinkCounts>> links =
                new ValueStateDescriptor<>("link-table", new MapTypeInfo<>(CompactTypes.HEX_ID, StateTypes.LINK_COUNTS));
        ListStateDescriptor<PendingLog> pending = new ListStateDescriptor<>("pending-with-span-id", StateTypes.PENDING_LOG);
        ListStateDescriptor<PendingLog> traceOnly = new ListStateDescriptor<>("pending-trace-only", StateTypes.PENDING_LOG);
        summaryState = getRuntimeContext().getState(summary);
        spansState = getRuntimeContext().getListState(spans);
        spanIdsState = getRuntimeContext().getState(spanIds);
        fingerprintsState = getRuntimeContext().getState(logs);
        linksState = getRuntimeContext().getState(links);
        pendingState = getRuntimeContext().getListState(pending);
        traceOnlyState = getRuntimeContext().getListState(traceOnly);
        clearedState = getRuntimeContext().getState(tombstone(cfg));
        graphEdgesState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("graph-edges-counted", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        closedTraceState = getRuntimeContext().getState(new ValueStateDescriptor<>("closed-trace", StateTypes.CLOSED_TRACE));
        timerGrid = Math.max(1, Math.min(MAX_TIMER_GRID_MS, cfg.emitIntervalMs / 10));
        // Held up to half the emit interval: the aggregator writes an element's totals at most once per
        // interval anyway, and each increment it takes costs a keyed-state read and write. Sent every timer
        // step, a light load's increments were a twentieth of local mode's CPU (bench/README.md "Session 23").
        graphBuffer = new GraphBuffer(GRAPH_BUFFER_ELEMENTS, Math.max(timerGrid, cfg.emitIntervalMs / 2));
        recentSpans = new RecentSpans(RECENT_SPANS, RECENT_TRACES);
        recentSummaries = new RecentSummaries(RECENT_SUMMARIES, SUMMARY_QUIET_MS,
                (trace, held) -> otherTraces.runAs(trace, () -> writeBack(held)));
        heldPending = new HeldPending(HELD_PENDING_LOGS, (trace, withSpanId, traceOnlyLogs) -> otherTraces.runAs(trace, () -> {
            if (!withSpanId.isEmpty()) pendingState.addAll(withSpanId);
            if (!traceOnlyLogs.isEmpty()) traceOnlyState.addAll(traceOnlyLogs);
        }));
        metrics = new CorrelatorMetrics(getRuntimeContext().getMetricGroup(), () -> openTraces);
    }

    @Override
    public void processElement1(TraceSpans batch, Context ctx, Collector<CorrelationRecord> out) throws Exception {
        timerSpans = null;
        currentTrace = ctx.getCurrentKey();
        currentCleared = null;
        TraceSummary s = loadSummary();
        boolean existed = s != null;
        boolean noSpansStored = !existed || s.trackedSpans == 0;
        boolean wasTruncated = existed && s.truncated;
        // A trace without state has no tracked spans: duplicates can only be within the batch.
        SeenSet ids = new SeenSet(existed && s.trackedSpans > 0 ? spanIds(s) : null);
        Set<String> otherIds = null;
        Map<String, SpanInfo> arrivedForPending = null;
        List<SpanInfo> added = new ArrayList<>(batch.spans.length);
        GraphIncrements graph = new GraphIncrements(cfg.graphBucketMs);
        for (SpanEvent span : batch.spans) {
            String id = span.spanId;
            if (id == null) continue; // invalid (OTLP), and it could not be deduplicated: the decoder refuses it
            if (s == null && (s = newSummary(span.eventTimeMillis(), ctx)) == null) continue;
            boolean canonical = CompactEncoding.isHexId(id, 16);
            long key = canonical ? HexFormat.fromHexDigitsToLong(id) : 0;
            if (canonical ? ids.contains(key) : ((otherIds != null && otherIds.contains(id))
                    || (existed && s.trackedSpans > 0 && spansWith(s, added).containsKey(id)))) {
                continue; // duplicate: first copy wins
            }
            metrics.spans.inc();
            arrived(s, ctx);
            s.addSpan(span, cfg.maxServices);
            if (s.trackedSpans < cfg.maxSpansTracked) {
                SpanInfo info = spanInfo(span);
                added.add(info);
                graph.node(info);
                if (timerSpans != null) timerSpans.put(id, info);
                if (canonical) {
                    ids.add(key);
                } else {
                    if (otherIds == null) otherIds = new HashSet<>();
                    otherIds.add(id);
                }
                s.trackedSpans++;
                if (s.pendingWithSpanId > 0) {
                    if (arrivedForPending == null) arrivedForPending = new HashMap<>();
                    arrivedForPending.put(id, info);
                }
            } else {
                s.truncated = true;
            }
        }
        if (s == null) return;
        graphBuffer.add(graph.updates());
        sendGraphIfDue(ctx);
        if (!added.isEmpty()) {
            if (s.closedForm) {
                Map<String, SpanInfo> all = closedSpans(s);
                for (SpanInfo span : added) all.putIfAbsent(span.spanId, span);
                held(s).closedSpansUnsaved = true;
            } else {
                spansState.addAll(added);
                recentSpans.added(currentTrace, added, noSpansStored);
            }
        }
        if (ids.changed()) {
            HeldValues held = held(s);
            held.spanIds = ids.merged();
            held.spanIdsUnsaved = true;
        }
        // No spans before this batch: no edge was counted either (no read of the counted set).
        if (noSpansStored && !added.isEmpty() && held(s).edgesCounted == null) held(s).edgesCounted = SeenSet.EMPTY;
        if (arrivedForPending != null) decideForSpans(s, ctx, arrivedForPending, ids);
        finish(s, wasTruncated, ctx);
    }

    @Override
    public void processElement2(TraceLogs batch, Context ctx, Collector<CorrelationRecord> out) throws Exception {
        timerSpans = null;
        currentTrace = ctx.getCurrentKey();
        currentCleared = null;
        TraceSummary s = loadSummary();
        boolean existed = s != null;
        boolean wasTruncated = existed && s.truncated;
        // A trace without state has no fingerprints or spans yet: nothing to look up.
        SeenSet fingerprints = new SeenSet(existed && s.trackedLogs > 0 ? fingerprints(s) : null);
        List<LogEvent> accepted = new ArrayList<>(batch.logs.length);
        // Per span id, the batch's explicit logs: one link update each.
        Map<String, Integer> explicitLinks = new LinkedHashMap<>();
        for (LogEvent log : batch.logs) {
            if (s == null && (s = newSummary(log.eventTimeMillis(), ctx)) == null) {
                // Expired: not correlated, but it still goes on to Loki (SPEC §3), with what it says itself.
                ctx.output(DECIDED_LOGS, new JoinedLog(log, CorrelationIds.forTrace(ctx.getCurrentKey()), log.spanId,
                        null, false));
                continue;
            }
            long fingerprint = log.fingerprint();
            if (fingerprints.contains(fingerprint)) continue; // duplicate: first copy wins
            metrics.logs.inc();
            arrived(s, ctx);
            if (s.trackedLogs < cfg.maxSpansTracked) {
                fingerprints.add(fingerprint);
                s.trackedLogs++;
            } else {
                s.truncated = true;
            }
            s.addLog(log, cfg.maxServices);
            // A log that names its span is attributed to it at once; the link shows once the span is known.
            if (log.spanId != null) explicitLinks.merge(log.spanId, 1, Integer::sum);
            accepted.add(log);
        }
        if (s == null) return;
        if (fingerprints.changed()) {
            HeldValues held = held(s);
            held.fingerprints = fingerprints.merged();
            held.fingerprintsUnsaved = true;
        }
        Map<String, SpanInfo> known = knownSpans(s, explicitLinks.keySet());
        long now = ctx.timerService().currentProcessingTime();
        List<PendingLog> pendingWithSpan = new ArrayList<>(0);
        List<PendingLog> pendingTraceOnly = new ArrayList<>(0);
        for (LogEvent log : accepted) {
            SpanInfo span = log.spanId == null ? null : known.get(log.spanId);
            if (span != null) {
                ctx.output(DECIDED_LOGS, new JoinedLog(log, s.correlationId, log.spanId, span.name, false));
            } else {
                (log.spanId == null ? pendingTraceOnly : pendingWithSpan).add(pend(s, log, now));
            }
        }
        if (!pendingWithSpan.isEmpty() || !pendingTraceOnly.isEmpty()) {
            heldPending.add(currentTrace, pendingWithSpan, pendingTraceOnly);
        }
        if (!explicitLinks.isEmpty()) {
            Map<String, LinkCounts> links = loadLinks(s);
            for (Map.Entry<String, Integer> link : explicitLinks.entrySet()) {
                attribute(s, links, link.getKey(), link.getValue(), 0);
            }
            saveLinks(s, links);
        }
        finish(s, wasTruncated, ctx);
    }

    /**
     * The tracked spans, when {@code spanIds} (a log batch's, or the due logs') names one that is
     * tracked. The set of tracked ids (one small value) answers first, so that logs naming only spans
     * that have not arrived (common: spans are reported when they end) do not read them all, nor every
     * log batch of a trace with thousands of spans.
     */
    private Map<String, SpanInfo> knownSpans(TraceSummary s, Set<String> spanIds) throws Exception {
        return knownSpans(s, spanIds, null);
    }

    /** As above, with the tracked-id set when the caller has read it already ({@code null}: read here if needed). */
    private Map<String, SpanInfo> knownSpans(TraceSummary s, Set<String> spanIds, SeenSet tracked) throws Exception {
        if (s.trackedSpans == 0 || spanIds.isEmpty()) return Map.of();
        if (timerSpans != null) return timerSpans; // already read in this call
        for (String id : spanIds) {
            if (!CompactEncoding.isHexId(id, 16)) return timerSpans(s); // other ids are in the list only
            if (tracked == null) tracked = new SeenSet(spanIds(s));
            if (tracked.contains(HexFormat.fromHexDigitsToLong(id))) return timerSpans(s);
        }
        return Map.of();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CorrelationRecord> out) throws Exception {
        timerSpans = null;
        currentTrace = ctx.getCurrentKey();
        TraceSummary s = loadSummary();
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
            clear(s, ctx, now);
            sendGraphIfDue(ctx);
            return;
        }
        if (anyPendingDue(s, now, watermark)) decideDue(s, ctx, false);
        boolean closing = false;
        if (!s.closed && (watermark >= s.lastSeen + cfg.windowMs || now >= s.lastArrival + cfg.windowMs)) {
            decideDue(s, ctx, true);
            s.closed = true;
            s.closedAt = now;
            s.dirty = true;
            openTraces--;
            clearing.clearAt(currentTrace, s.closedAt + cfg.ttlMs);
            emit(s, now, out);
            if (!s.closedForm) toClosedForm(s); // else in compact form since its emission (toCompactForm)
            closing = true;
        } else if (s.dirty && now >= emitDueAt(s)) {
            emit(s, now, out);
        }
        if (s.truncated && !wasTruncated) metrics.truncated.inc();
        syncTimers(s, ctx);
        if (closing) recentSummaries.saveNow(currentTrace);
        sendGraphIfDue(ctx);
    }

    /**
     * Sends the held graph increments on when {@link GraphBuffer} says so; otherwise, when some are held,
     * has them sent once due even if no call comes by then.
     */
    private void sendGraphIfDue(Context ctx) {
        long now = ctx.timerService().currentProcessingTime();
        if (graphBuffer.due(now)) {
            for (GraphUpdate increment : graphBuffer.drain(now)) ctx.output(GRAPH_INCREMENTS, increment);
        } else if (!graphBuffer.isEmpty()) {
            graphWakeUp.sendGraphAt(graphBuffer.dueAt());
        }
    }

    /** Every held graph increment, for the operator to send before a checkpoint's barrier or at the end. */
    List<GraphUpdate> drainGraph(long now) {
        return graphBuffer.drain(now);
    }

    /**
     * A new summary for a trace's first event; null for an expired event (SPEC §3): one of a trace cleared
     * within the last {@code CORRELATION_TTL_SECONDS} (its tombstone), or one so old that its trace would
     * have closed and been cleared by now.
     */
    private TraceSummary newSummary(long eventTime, Context ctx) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        if ((watermark != Long.MIN_VALUE && eventTime + cfg.windowMs + cfg.ttlMs < watermark) || recentlyCleared(ctx)) {
            // Its record stays as it is.
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

    /**
     * Whether the current trace was cleared within the last {@code CORRELATION_TTL_SECONDS}: its last record
     * was written at the latest when it was cleared and lives in Redis for the TTL after that, so an event
     * in that time would otherwise start a new, smaller record for the same correlation id (a new
     * {@code first_seen}, no spans) that replaces it. Read once per call, and only for a trace without
     * state.
     */
    private boolean recentlyCleared(Context ctx) throws Exception {
        if (currentCleared == null) {
            Long clearedAt = clearedState.value();
            currentCleared = clearedAt != null && ctx.timerService().currentProcessingTime() < clearedAt + cfg.ttlMs;
        }
        return currentCleared;
    }

    /**
     * The tombstone's descriptor. Its Flink TTL only collects it (in RocksDB's compactions): whether it
     * still counts is decided by its value against the operator's clock. The TTL runs on the wall clock,
     * so it allows some minutes more than the tombstone's time, in case the two clocks differ (tests).
     */
    static ValueStateDescriptor<Long> tombstone(CorrelationSettings cfg) {
        ValueStateDescriptor<Long> cleared = new ValueStateDescriptor<>("cleared-at", Types.LONG);
        cleared.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(cfg.ttlMs).plus(TOMBSTONE_TTL_MARGIN))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupInRocksdbCompactFilter(1000)
                .build());
        return cleared;
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

    /**
     * The trace's link table: the held copy ({@link HeldValues}) once read or written while the summary is
     * held (emission and the trace-only logs' decision read it within seconds of the log batch that wrote
     * it). A caller that changes it marks it unsaved with {@link #saveLinks}.
     */
    private Map<String, LinkCounts> loadLinks(TraceSummary s) throws Exception {
        HeldValues held = held(s);
        if (held.links == null && !closedFormHeld(s)) {
            Map<String, LinkCounts> stored = s.linkEntries == 0 ? null : linksState.value();
            held.links = stored == null ? new HashMap<>() : stored;
        }
        return held.links;
    }

    /** The link table {@link #loadLinks} gave was changed: it goes to state with the summary. */
    private void saveLinks(TraceSummary s, Map<String, LinkCounts> links) {
        HeldValues held = held(s);
        held.links = links;
        held.linksUnsaved = true;
    }

    private HeldValues held(TraceSummary s) {
        if (s.held == null) s.held = new HeldValues();
        return s.held;
    }

    /** The trace's tracked span ids (canonical ones), held once read. */
    private long[] spanIds(TraceSummary s) throws Exception {
        HeldValues held = held(s);
        if (held.spanIds == null && !closedFormHeld(s)) held.spanIds = orEmpty(spanIdsState.value());
        return held.spanIds;
    }

    /** The trace's log fingerprints, held once read. */
    private long[] fingerprints(TraceSummary s) throws Exception {
        HeldValues held = held(s);
        if (held.fingerprints == null && !closedFormHeld(s)) held.fingerprints = orEmpty(fingerprintsState.value());
        return held.fingerprints;
    }

    /** The child spans already counted in the service graph's edges, held once read. */
    private long[] edgesCounted(TraceSummary s) throws Exception {
        HeldValues held = held(s);
        if (held.edgesCounted == null && !closedFormHeld(s)) held.edgesCounted = orEmpty(graphEdgesState.value());
        return held.edgesCounted;
    }

    /** A trace in closed form: its tracked spans (the held map, which a caller may add to and mark unsaved). */
    private Map<String, SpanInfo> closedSpans(TraceSummary s) throws Exception {
        closedFormHeld(s);
        return s.held.closedSpans;
    }

    /**
     * Whether the trace is in closed form ({@link TraceSummary#closedForm}); if so, its closed-trace value is
     * held once this returns: read the first time, and all of the held values set from it (a value already
     * held is the newer one and stays).
     */
    private boolean closedFormHeld(TraceSummary s) throws Exception {
        if (!s.closedForm) return false;
        HeldValues held = held(s);
        if (held.closedSpans != null) return true;
        ClosedTrace closed = closedTraceState.value();
        if (closed == null) { // written back with the summary, so present whenever the flag is stored
            throw new IllegalStateException("trace " + s.traceId + " is in closed form without its closed-trace value");
        }
        held.closedSpans = closed.spans;
        if (held.spanIds == null) held.spanIds = ClosedTrace.spanIds(closed.spans);
        if (held.fingerprints == null) held.fingerprints = closed.fingerprints;
        if (held.links == null) held.links = closed.links;
        if (held.edgesCounted == null) held.edgesCounted = closed.edgesCounted;
        return true;
    }

    /**
     * A trace that just closed (and was emitted, which read its spans and links): its values move into one
     * closed-trace value, written back with its summary, and the open trace's five states are cleared. A
     * closed trace is held for late events until its clean-up (an hour by default), so this is most of the
     * state a correlator holds: ~2 KB per trace of 30 spans in five values became ~1 KB in one
     * (bench/state.sh, bench/README.md).
     */
    private void toClosedForm(TraceSummary s) throws Exception {
        HeldValues held = held(s);
        Map<String, SpanInfo> spans = timerSpans(s);
        if (held.fingerprints == null) held.fingerprints = s.trackedLogs == 0 ? SeenSet.EMPTY : fingerprints(s);
        loadLinks(s);
        edgesCounted(s);
        intoClosedValue(s, spans);
    }

    /**
     * The spans with which an open trace written back now goes into its compact form ({@link #toCompactForm}),
     * or null when it does not: emitted, nothing new since, no log waiting, every value it needs held (no
     * read), and small enough that a later batch's read and rewrite of the whole value stays cheap.
     */
    private Map<String, SpanInfo> compactableSpans(TraceSummary s) {
        HeldValues held = s.held;
        boolean compactable = held != null && s.emitted && !s.dirty && s.pendingLogs == 0 && !s.truncated
                && s.trackedSpans <= COMPACT_OPEN_MAX_SPANS
                && (held.fingerprints != null || s.trackedLogs == 0)
                && (held.links != null || s.linkEntries == 0)
                && (held.edgesCounted != null || s.trackedSpans == 0);
        if (!compactable) return null;
        return s.trackedSpans == 0 ? new HashMap<>() : recentSpans.get(s.traceId);
    }

    /**
     * An open trace quiet after its emission ({@link #compactableSpans}) takes the closed form's one value
     * now, from what is held, instead of at its close: its close then reads two values (summary and closed
     * trace) instead of six, and writes none of the five it would clear. Most traces arrive in a burst and
     * are not touched again until they close a window later, by which time nothing of them is cached.
     * Called by {@link #writeBack} in the trace's key context, not necessarily the current call's trace.
     */
    private void toCompactForm(TraceSummary s, Map<String, SpanInfo> spans) {
        HeldValues held = s.held;
        // unset only where the summary's counts say there is none
        if (held.fingerprints == null) held.fingerprints = SeenSet.EMPTY;
        if (held.links == null) held.links = new HashMap<>();
        if (held.edgesCounted == null) held.edgesCounted = SeenSet.EMPTY;
        intoClosedValue(s, spans);
    }

    /**
     * The trace's held values (fingerprints, links and counted edges set) and {@code spans} become its
     * closed-trace value, written back with its summary; the open form's states that state may have are
     * cleared.
     */
    private void intoClosedValue(TraceSummary s, Map<String, SpanInfo> spans) {
        HeldValues held = s.held;
        if (held.spanIds == null) held.spanIds = ClosedTrace.spanIds(spans);
        held.closedSpans = spans;
        held.closedSpansUnsaved = true;
        s.closedForm = true;
        recentSpans.forget(s.traceId); // held with the summary from now on
        if (s.trackedSpans > 0) spansState.clear(); // appended per batch, without the summary
        if (s.valuesMayBeStored) { // otherwise only ever held: never written
            spanIdsState.clear();
            fingerprintsState.clear();
            linksState.clear();
            graphEdgesState.clear();
        }
    }

    private static long[] orEmpty(long[] values) {
        return values == null ? SeenSet.EMPTY : values;
    }

    /**
     * Writes a held summary back to the current key's state ({@link RecentSummaries}), with the values it
     * carries that changed since they were last written; they stay held, except those of a trace in closed
     * form (closed, or put into compact form here: {@link #toCompactForm}).
     */
    private void writeBack(TraceSummary s) throws Exception {
        if (!s.closedForm) {
            Map<String, SpanInfo> spans = compactableSpans(s);
            if (spans != null) toCompactForm(s, spans);
        }
        summaryState.update(s);
        s.valuesMayBeStored = true;
        HeldValues held = s.held;
        if (held == null) return;
        if (s.closedForm) {
            if (held.anyUnsaved()) {
                closedFormHeld(s); // what was not read since it was last written
                closedTraceState.update(new ClosedTrace(held.closedSpans, held.fingerprints, held.links, held.edgesCounted));
            }
            // A trace in closed form (closed, or open and quiet since its emission) is rarely touched again
            // before its close or clean-up: its values are not held beyond this, so that the
            // summaries held (up to 20,000 per subtask) do not hold the spans of every trace closed lately.
            s.held = null;
            return;
        }
        if (!held.anyUnsaved()) return;
        if (held.spanIdsUnsaved) spanIdsState.update(held.spanIds);
        if (held.fingerprintsUnsaved) fingerprintsState.update(held.fingerprints);
        if (held.linksUnsaved) linksState.update(held.links);
        if (held.edgesCountedUnsaved) graphEdgesState.update(held.edgesCounted);
        held.saved();
    }

    /**
     * Counts logs for a span id in the link table. The table holds an entry per span id a log named or an
     * inferred join chose, known span or not (a span may arrive after its logs), up to
     * {@code MAX_SPANS_TRACKED_PER_TRACE} entries; {@code MAX_LINKS_PER_TRACE} applies to the record's
     * links, which are only the known spans' ({@link RecordAssembler#links}).
     */
    private void attribute(TraceSummary s, Map<String, LinkCounts> links, String spanId, int logs, int inferred) {
        LinkCounts counts = links.get(spanId);
        if (counts == null) {
            if (s.linkEntries >= cfg.maxSpansTracked) {
                s.truncated = true;
                return;
            }
            counts = new LinkCounts();
            links.put(spanId, counts);
            s.linkEntries++;
        }
        counts.logCount += logs;
        counts.inferredLogCount += inferred;
    }

    /** Counts a log as pending and returns its entry for the list it goes to. */
    private PendingLog pend(TraceSummary s, LogEvent log, long now) {
        if (log.spanId != null) s.pendingWithSpanId++;
        s.pendingLogs++;
        s.pendingDueEventTime = Math.min(s.pendingDueEventTime, log.eventTimeMillis() + cfg.joinSlackMs);
        s.pendingDueProcessingTime = Math.min(s.pendingDueProcessingTime, now + cfg.joinMaxWaitMs);
        return new PendingLog(log, now);
    }

    /**
     * Decides the pending logs waiting for the spans that just arrived, in one pass over the pending list.
     * The earliest due times stay as they are (at worst early: a timer that finds nothing due only
     * recomputes them).
     *
     * <p>The list is not rewritten without the logs decided here: a pending log whose (canonical) span id
     * is tracked was decided when that span arrived, and every reader skips it ({@link #decidedEarlier}).
     * Rewriting the rest of the list after each span batch wrote a trace's waiting logs again and again,
     * into what RocksDB must flush at every checkpoint, on this thread. The list is cleared when no log
     * waits any more, and rewritten without those logs whenever a timer decides some.
     */
    private void decideForSpans(TraceSummary s, Context ctx, Map<String, SpanInfo> arrived, SeenSet tracked)
            throws Exception {
        HeldPending.Logs held = heldPending.get(currentTrace);
        int heldCount = held == null ? 0 : held.withSpanId.size();
        // in arrival order: those in state came before those held
        int decided = s.pendingWithSpanId > heldCount ? decideStoredForSpans(s, ctx, arrived, tracked) : 0;
        if (heldCount > 0) {
            int before = held.size();
            Iterator<PendingLog> it = held.withSpanId.iterator();
            while (it.hasNext()) {
                PendingLog p = it.next();
                SpanInfo span = arrived.get(p.log.spanId);
                if (span == null) continue;
                ctx.output(DECIDED_LOGS, new JoinedLog(p.log, s.correlationId, p.log.spanId, span.name, false));
                it.remove();
                decided++;
            }
            heldPending.changed(currentTrace, held, before);
        }
        s.pendingLogs -= decided;
        s.pendingWithSpanId -= decided;
    }

    /** {@link #decideForSpans} for the logs in the {@code pending-with-span-id} state; how many it decided. */
    private int decideStoredForSpans(TraceSummary s, Context ctx, Map<String, SpanInfo> arrived, SeenSet tracked)
            throws Exception {
        List<PendingLog> kept = new ArrayList<>();
        int decided = 0;
        boolean otherIds = false;
        for (PendingLog p : pendingState.get()) {
            SpanInfo span = arrived.get(p.log.spanId);
            if (span == null) {
                if (!decidedEarlier(p, tracked)) kept.add(p);
                continue;
            }
            ctx.output(DECIDED_LOGS, new JoinedLog(p.log, s.correlationId, p.log.spanId, span.name, false));
            decided++;
            otherIds |= !CompactEncoding.isHexId(p.log.spanId, 16);
        }
        if (decided == 0) return 0;
        if (kept.isEmpty()) pendingState.clear();
        else if (otherIds) pendingState.update(kept); // their spans are not in the id set
        return decided;
    }

    /** A pending log that was decided when its span arrived, left in the list (see {@link #decideForSpans}). */
    private static boolean decidedEarlier(PendingLog p, SeenSet tracked) {
        String id = p.log.spanId;
        return tracked != null && CompactEncoding.isHexId(id, 16) && tracked.contains(HexFormat.fromHexDigitsToLong(id));
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
        List<PendingLog> kept = new ArrayList<>(0);
        List<PendingLog> due = new ArrayList<>();
        Set<String> dueIds = new HashSet<>();
        HeldPending.Logs held = heldPending.get(currentTrace);
        int heldCount = held == null ? 0 : held.withSpanId.size();
        // in arrival order: those in state came before those held
        boolean inState = s.pendingWithSpanId > heldCount;
        SeenSet tracked = s.trackedSpans > 0 && inState ? new SeenSet(spanIds(s)) : null;
        if (inState) {
            for (PendingLog p : pendingState.get()) {
                if (decidedEarlier(p, tracked)) continue;
                if (round.due(p)) {
                    due.add(p);
                    dueIds.add(p.log.spanId);
                } else {
                    kept.add(p);
                }
            }
        }
        int stateDue = due.size();
        if (heldCount > 0) {
            takeDue(held, held.withSpanId, round, due);
            for (int i = stateDue; i < due.size(); i++) dueIds.add(due.get(i).log.spanId);
        }
        if (due.isEmpty()) return;
        Map<String, SpanInfo> known = knownSpans(s, dueIds, tracked);
        for (PendingLog p : due) {
            SpanInfo span = known.get(p.log.spanId);
            ctx.output(DECIDED_LOGS, new JoinedLog(p.log, s.correlationId, p.log.spanId, span == null ? null : span.name, false));
        }
        if (stateDue > 0) { // state keeps the rest of its logs
            if (kept.isEmpty()) pendingState.clear();
            else pendingState.update(kept);
        }
        s.pendingLogs -= due.size();
        s.pendingWithSpanId -= due.size();
    }

    /** Moves the due logs of {@code list}, one of the current trace's {@code held} lists, to {@code due}. */
    private void takeDue(HeldPending.Logs held, List<PendingLog> list, DueRound round, List<PendingLog> due) {
        int before = held.size();
        Iterator<PendingLog> it = list.iterator();
        while (it.hasNext()) {
            PendingLog p = it.next();
            if (!round.due(p)) continue;
            due.add(p);
            it.remove();
        }
        heldPending.changed(currentTrace, held, before);
    }

    /** Logs without span id: joined to the innermost span of their service that holds their time. */
    private void decideTraceOnly(TraceSummary s, Context ctx, DueRound round) throws Exception {
        List<PendingLog> kept = new ArrayList<>(0);
        Map<String, SpanInfo> spans = null;
        SpanIntervals intervals = null;
        Map<String, LinkCounts> links = null;
        int decided = 0;
        HeldPending.Logs held = heldPending.get(currentTrace);
        int heldCount = held == null ? 0 : held.traceOnly.size();
        // in arrival order: those in state came before those held
        List<PendingLog> due = new ArrayList<>();
        if (s.pendingLogs - s.pendingWithSpanId > heldCount) {
            for (PendingLog p : traceOnlyState.get()) {
                if (round.due(p)) due.add(p);
                else kept.add(p);
            }
        }
        int stateDue = due.size();
        if (heldCount > 0) takeDue(held, held.traceOnly, round, due);
        for (PendingLog p : due) {
            decided++;
            if (intervals == null) {
                spans = timerSpans(s);
                intervals = new SpanIntervals(spans);
            }
            LogEvent log = p.log;
            String chosen = intervals.innermost(log.service, log.timeNanos, cfg.joinSlackMs * 1_000_000L);
            if (chosen != null) {
                if (links == null) links = loadLinks(s);
                attribute(s, links, chosen, 1, 1);
                s.dirty = true;
            }
            ctx.output(DECIDED_LOGS, new JoinedLog(log, s.correlationId, chosen,
                    chosen == null ? null : spans.get(chosen).name, chosen != null));
        }
        if (decided == 0) return;
        if (links != null) saveLinks(s, links);
        if (stateDue > 0) { // state keeps the rest of its logs
            if (kept.isEmpty()) traceOnlyState.clear();
            else traceOnlyState.update(kept);
        }
        s.pendingLogs -= decided;
    }

    private void emit(TraceSummary s, long now, Collector<CorrelationRecord> out) throws Exception {
        s.dirty = false;
        Map<String, SpanInfo> spans = timerSpans(s);
        countEdges(s, spans);
        CorrelationRecord record = RecordAssembler.assemble(s, spans, loadLinks(s), cfg.maxLinks);
        s.truncated = record.truncated; // the links cap is applied here
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

    /**
     * The service graph's edges that the trace's spans now have and that were not counted yet. At
     * emission, which reads the spans anyway: a span batch appends without reading them, and a parent may
     * arrive after its children (spans are reported when they end).
     */
    private void countEdges(TraceSummary s, Map<String, SpanInfo> spans) throws Exception {
        HeldValues held = held(s);
        long[] stored = held.edgesCounted;
        // Spans are never removed and a counted child stays an edge, so equal counts mean nothing new:
        // the emissions after a trace's first (its close, late events) skip the scan. A trace whose first
        // emission counts from an empty set scans once, not twice.
        if (stored == null || stored.length > 0) {
            int edges = GraphIncrements.edgeCount(spans);
            if (edges == 0) return;
            if (stored != null && stored.length == edges) return;
        }
        if (stored == null) stored = edgesCounted(s);
        SeenSet counted = new SeenSet(stored);
        GraphIncrements graph = new GraphIncrements(cfg.graphBucketMs);
        graph.edges(spans, counted);
        if (!counted.changed()) return;
        held.edgesCounted = counted.merged();
        held.edgesCountedUnsaved = true;
        graphBuffer.add(graph.updates());
    }

    /**
     * When a dirty trace is emitted, on the timer grid: the first emission no later than the emit interval
     * after the first event, later ones no sooner than the interval after the last (SPEC §3).
     *
     * <p>The first emission comes earlier once the trace has been quiet for {@code firstEmitQuietMs}: a
     * trace whose events arrived together (one Collector batch per signal) is readable a fraction of the
     * interval after it arrived, yet still emitted once, not once per batch. A trace that keeps growing
     * keeps pushing that moment out, so it costs at most one emission more than waiting for the interval.
     */
    private long emitDueAt(TraceSummary s) {
        if (s.emitted) return onGridUp(s.lastEmitAt + cfg.emitIntervalMs);
        long latest = onGridUp(s.firstArrival + cfg.emitIntervalMs - timerGrid + 1);
        return cfg.firstEmitQuietMs > 0 ? Math.min(latest, onGridUp(s.lastArrival + cfg.firstEmitQuietMs)) : latest;
    }

    /** The first grid point at or after {@code time}. */
    private long onGridUp(long time) {
        long remainder = Math.floorMod(time, timerGrid);
        return remainder == 0 ? time : time - remainder + timerGrid;
    }

    /**
     * Registers the earliest moment in each time domain at which a rule can become due, and hands the
     * changed summary back to {@link RecentSummaries}, which writes it to state when it leaves or before a
     * checkpoint.
     */
    private void syncTimers(TraceSummary s, Context ctx) throws Exception {
        long event = Long.MAX_VALUE;
        long processing = Long.MAX_VALUE;
        if (!s.closed) {
            event = s.lastSeen + cfg.windowMs;
            processing = onGridUp(s.lastArrival + cfg.windowMs);
        } else if (s.processingTimer == onGridUp(s.closedAt + cfg.ttlMs)) {
            // A clean-up timer of the trace's own, from a savepoint of an earlier version: handed over.
            clearing.clearAt(currentTrace, s.closedAt + cfg.ttlMs);
        }
        if (s.pendingLogs > 0) {
            event = Math.min(event, s.pendingDueEventTime);
            processing = Math.min(processing, onGridUp(s.pendingDueProcessingTime));
        }
        if (s.dirty) processing = Math.min(processing, emitDueAt(s));
        long wantEvent = event == Long.MAX_VALUE ? 0 : event;
        if (moves(s.eventTimer, wantEvent)) {
            if (s.eventTimer != 0) ctx.timerService().deleteEventTimeTimer(s.eventTimer);
            if (wantEvent != 0) ctx.timerService().registerEventTimeTimer(wantEvent);
            s.eventTimer = wantEvent;
        }
        long wantProcessing = processing == Long.MAX_VALUE ? 0 : processing;
        if (moves(s.processingTimer, wantProcessing)) {
            if (s.processingTimer != 0) ctx.timerService().deleteProcessingTimeTimer(s.processingTimer);
            if (wantProcessing != 0) ctx.timerService().registerProcessingTimeTimer(wantProcessing);
            s.processingTimer = wantProcessing;
        }
        recentSummaries.changed(currentTrace, s, ctx.timerService().currentProcessingTime());
    }

    /**
     * Whether the trace's timer must move to {@code want}. A timer earlier than wanted stays: it fires
     * early, finds nothing due (every rule is re-evaluated) and registers the wanted time then. Most
     * batches of an open trace push its moments out (its window and its first emission's quiet time
     * start again), so this saves a delete and a register per batch for one spare firing per trace.
     */
    private static boolean moves(long registered, long want) {
        if (want == registered) return false;
        return registered == 0 || want == 0 || want < registered;
    }

    private void clear(TraceSummary s, Context ctx, long now) throws Exception {
        if (s.eventTimer != 0) ctx.timerService().deleteEventTimeTimer(s.eventTimer);
        if (s.processingTimer != 0) ctx.timerService().deleteProcessingTimeTimer(s.processingTimer);
        summaryState.clear();
        recentSummaries.forget(currentTrace);
        recentSpans.forget(currentTrace);
        if (s.closedForm) {
            closedTraceState.clear(); // the other values were cleared when it took that form
        } else {
            spansState.clear();
            spanIdsState.clear();
            fingerprintsState.clear();
            linksState.clear();
            graphEdgesState.clear();
        }
        pendingState.clear();
        traceOnlyState.clear();
        heldPending.forget(currentTrace);
        clearedState.update(now);
        metrics.cleared.inc();
    }

    /**
     * The current trace's summary, or null. The object is {@link RecentSummaries}'s: whatever changes it
     * hands it back before the call returns ({@link #syncTimers}), or clears the trace.
     */
    private TraceSummary loadSummary() throws Exception {
        TraceSummary s = recentSummaries.get(currentTrace);
        if (s != null) return s;
        s = summaryState.value();
        if (s != null) {
            s.valuesMayBeStored = true;
            recentSummaries.loaded(currentTrace, s.ofTrace(currentTrace));
        }
        return s;
    }

    /**
     * The trace's tracked spans by id. The map is the {@link RecentSpans} copy itself: a caller that adds
     * to it must append the same spans to {@code spansState} (as {@link #processElement1} does).
     */
    private Map<String, SpanInfo> loadSpans(TraceSummary s) throws Exception {
        if (s.closedForm) return closedSpans(s);
        Map<String, SpanInfo> spans = recentSpans.get(currentTrace);
        if (spans != null) return spans;
        spans = new HashMap<>();
        Iterable<SpanInfo> stored = spansState.get();
        if (stored != null) for (SpanInfo span : stored) spans.put(span.spanId, span);
        recentSpans.loaded(currentTrace, spans);
        return spans;
    }

    /**
     * The stored spans and those a span batch added so far (written after its loop): the cache stays
     * whole for the rest of the call.
     */
    private Map<String, SpanInfo> spansWith(TraceSummary s, List<SpanInfo> added) throws Exception {
        if (timerSpans == null) {
            timerSpans = loadSpans(s);
            for (SpanInfo span : added) timerSpans.put(span.spanId, span);
        }
        return timerSpans;
    }

    /** The trace's spans, read at most once per call: a firing's decisions and emission share the read. */
    private Map<String, SpanInfo> timerSpans(TraceSummary s) throws Exception {
        if (timerSpans == null) timerSpans = loadSpans(s);
        return timerSpans;
    }

    private static SpanInfo spanInfo(SpanEvent span) {
        SpanInfo info = new SpanInfo();
        info.spanId = span.spanId;
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
        // Runs before the keyed state is snapshotted (the operator's part comes first).
        heldPending.saveAll();
        recentSummaries.saveAll();
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
