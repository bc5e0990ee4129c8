package org.correlationstation.job.correlate;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.job.types.CompactTypes;
import org.correlationstation.job.types.TraceLogs;
import org.correlationstation.job.types.TraceSpans;

/**
 * The correlator's operator: Flink's keyed co-process operator, plus one processing-time timer per key
 * group and clean-up step in place of one per closed trace, and access to other traces' state for the
 * summaries the correlator writes back late ({@link OtherTraces}, {@link RecentSummaries}).
 *
 * <p>A trace is held for {@code CORRELATION_TTL_SECONDS} after it closes, for late events. Each held
 * trace used to keep its own heap timer for its clean-up (~140 bytes with its key): the heap grew with
 * every trace closed in the last TTL (~450 MiB at 920 traces/s and 1 h), and heap timers are written in
 * the checkpoint's synchronous part, which stops the task. Here a closing trace's id is appended to a
 * list in RocksDB under a key of its own key group, one list per clean-up step; a timer on that key fires
 * the step and registers each listed trace's own timer at once, so the correlator clears it with the
 * same rules as before. Each key group's list moves with its traces on rescaling.
 *
 * <p>Clean-up is spread, not done in bursts: each key group's steps are offset within the step by its
 * share of it (128 key groups: a firing every {@code step/128} on some key group, instead of every key
 * group of the subtask at once), and one firing hands at most {@link #MAX_CLEARED_PER_FIRING} traces to
 * their timers; the rest wait a millisecond in a list of their own, so records are processed between.
 *
 * <p>Flink has no timer across keys, and a keyed function cannot switch keys: this is why the operator,
 * not the function, does both.
 */
public final class TraceCorrelatorOperator
        extends KeyedCoProcessOperator<String, TraceSpans, TraceLogs, CorrelationRecord>
        implements ClearingSchedule, OtherTraces, GraphWakeUp {
    private static final long serialVersionUID = 1L;

    /**
     * Keys of the clean-up lists: trace ids are hex, or legacy ids of {@code [A-Za-z0-9._:-]}, so none
     * starts with '#'.
     */
    static final String STEP_KEY_PREFIX = "#clean-up/";
    private static final long MAX_STEP_MS = 60_000;
    /** A hundredth of the TTL: at most a minute late at the default hour, ≤ 100 lists per key group. */
    private static final long STEPS_PER_TTL = 100;

    /** Traces one firing clears (at ~20-50 µs each in RocksDB, a few milliseconds of the task thread). */
    static final int MAX_CLEARED_PER_FIRING = 200;

    private static final ListStateDescriptor<String> DUE =
            new ListStateDescriptor<>("clean-up-due", CompactTypes.TRACE_ID_KEY);

    private final long stepMs;
    private final int maxClearedPerFiring;
    private final TraceCorrelator correlator;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient int maxParallelism;
    /** The list key of each key group, found on first use. */
    private transient String[] stepKeys;
    /** Whether a {@link #sendGraphAt} timer is registered and has not fired yet. */
    private transient boolean graphTimerSet;

    public TraceCorrelatorOperator(CorrelationSettings cfg) {
        this(cfg, MAX_CLEARED_PER_FIRING);
    }

    TraceCorrelatorOperator(CorrelationSettings cfg, int maxClearedPerFiring) {
        this(new TraceCorrelator(cfg), cfg, maxClearedPerFiring);
    }

    private TraceCorrelatorOperator(TraceCorrelator correlator, CorrelationSettings cfg, int maxClearedPerFiring) {
        super(correlator);
        this.correlator = correlator;
        this.stepMs = Math.max(1, Math.min(MAX_STEP_MS, cfg.ttlMs / STEPS_PER_TTL));
        this.maxClearedPerFiring = maxClearedPerFiring;
    }

    @Override
    public void open() throws Exception {
        correlator.attach(this, this, this);
        super.open();
        // The function's timer service (Flink's name for it). Were the name to change, this would be a second
        // service with this operator as its target, and the traces' timers would still reach the function.
        timers = getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
        maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
        stepKeys = new String[maxParallelism];
    }

    @Override
    public void clearAt(String traceId, long time) throws Exception {
        int keyGroup = KeyGroupRangeAssignment.assignToKeyGroup(traceId, maxParallelism);
        long offset = keyGroup * stepMs / maxParallelism;
        long step = Math.floorDiv(time - offset + stepMs - 1, stepMs) * stepMs + offset;
        runAs(stepKey(keyGroup), () -> {
            getPartitionedState(step, LongSerializer.INSTANCE, DUE).add(traceId);
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, step);
        });
    }

    @Override
    public void runAs(String traceId, StateAction action) throws Exception {
        Object trace = getCurrentKey();
        setCurrentKey(traceId);
        try {
            action.run();
        } finally {
            if (trace != null) setCurrentKey(trace);
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        if (!timer.getKey().startsWith(STEP_KEY_PREFIX)) {
            super.onProcessingTime(timer);
            return;
        }
        ListState<String> due = getPartitionedState(timer.getTimestamp(), LongSerializer.INSTANCE, DUE);
        List<String> traces = new ArrayList<>();
        Iterable<String> listed = due.get();
        if (listed != null) listed.forEach(traces::add);
        due.clear();
        int firing = Math.min(traces.size(), maxClearedPerFiring);
        if (firing < traces.size()) {
            // Later than the time this firing runs for, so in a firing (a mailbox action) of its own.
            long later = getProcessingTimeService().getCurrentProcessingTime() + 1;
            getPartitionedState(later, LongSerializer.INSTANCE, DUE).addAll(traces.subList(firing, traces.size()));
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, later);
        }
        // Each trace's own timer, now: the firing loop that called this one runs them next.
        for (String trace : traces.subList(0, firing)) {
            setCurrentKey(trace);
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, timer.getTimestamp());
        }
    }

    /**
     * The correlator's held graph increments go out before the barrier: the checkpoint then holds the
     * counted spans and the aggregator the increments they made, together ({@link GraphBuffer}).
     */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        sendGraph();
    }

    @Override
    public void finish() throws Exception {
        sendGraph();
        super.finish();
    }

    /**
     * A timer of this operator's, not of a key's (nothing of it is checkpointed: a checkpoint's barrier
     * sends everything held anyway). One at a time: the increments held when it fires are all sent.
     */
    @Override
    public void sendGraphAt(long time) {
        if (graphTimerSet) return;
        graphTimerSet = true;
        getProcessingTimeService().registerTimer(time, firedAt -> {
            graphTimerSet = false;
            sendGraph();
        });
    }

    private void sendGraph() {
        for (GraphUpdate increment : correlator.drainGraph(getProcessingTimeService().getCurrentProcessingTime())) {
            output.collect(TraceCorrelator.GRAPH_INCREMENTS, new StreamRecord<>(increment));
        }
    }

    /** A key that falls into the key group: deterministic, so it is the same after a restore or rescale. */
    private String stepKey(int keyGroup) {
        String key = stepKeys[keyGroup];
        if (key != null) return key;
        for (int n = 0; ; n++) {
            key = STEP_KEY_PREFIX + n;
            if (KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism) == keyGroup) {
                stepKeys[keyGroup] = key;
                return key;
            }
        }
    }
}
