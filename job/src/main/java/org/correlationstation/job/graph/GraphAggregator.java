package org.correlationstation.job.graph;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.job.types.CompactTypes;

/**
 * Sums the correlator's service-graph increments per time bucket and element ({@link GraphElementKey})
 * and emits the element's totals at most once per emit interval: a total, not a delta, so the stores
 * can keep whichever of two writes counts more and replays after a restore never go backwards or count
 * twice. The totals are keyed state, checkpointed with the correlator's counted spans, so a restore or
 * a rescale rolls both back to the same point.
 *
 * <p>A bucket's totals are kept as long as a span can still arrive for it: a trace takes late spans
 * until it is cleared, the window plus the TTL after its last event. They are collected by Flink's
 * state TTL after that long without an increment (plus a margin).
 */
public class GraphAggregator extends KeyedProcessFunction<String, GraphUpdate, GraphUpdate> {
    private static final long serialVersionUID = 1L;
    private static final Duration MARGIN = Duration.ofMinutes(5);

    private final long emitIntervalMs;
    private final Duration retention;
    private transient ValueState<GraphUpdate> totalsState;
    /** When the pending emission's timer fires; absent when nothing changed since the last emission. */
    private transient ValueState<Long> emitAtState;
    private transient ServiceGraphMetrics metrics;

    /**
     * @param emitIntervalMs how often an element's totals are emitted at most
     * @param retention how long after its last increment an element can still receive one
     */
    public GraphAggregator(long emitIntervalMs, Duration retention) {
        this.emitIntervalMs = emitIntervalMs;
        this.retention = retention;
    }

    @Override
    public void open(OpenContext openContext) {
        StateTtlConfig ttl = StateTtlConfig.newBuilder(retention.plus(MARGIN))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupInRocksdbCompactFilter(1000)
                .build();
        ValueStateDescriptor<GraphUpdate> totals = new ValueStateDescriptor<>("graph-totals", CompactTypes.GRAPH_UPDATE);
        totals.enableTimeToLive(ttl);
        ValueStateDescriptor<Long> emitAt = new ValueStateDescriptor<>("graph-emit-at", Types.LONG);
        emitAt.enableTimeToLive(ttl);
        totalsState = getRuntimeContext().getState(totals);
        emitAtState = getRuntimeContext().getState(emitAt);
        metrics = new ServiceGraphMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(GraphUpdate increment, Context ctx, Collector<GraphUpdate> out) throws Exception {
        GraphUpdate totals = totalsState.value();
        if (totals == null) {
            totals = new GraphUpdate(increment.bucketStartMillis(), increment.key(), new GraphCounts());
        }
        totals.counts().merge(increment.counts());
        totalsState.update(totals);
        // Prometheus' view (Tempo's series): counters, so a replay after a restore counts its increments again
        if (increment.key().isEdge()) metrics.edge(increment.key().parent(), increment.key().service(), increment.counts());
        if (emitAtState.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + emitIntervalMs;
            ctx.timerService().registerProcessingTimeTimer(at);
            emitAtState.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<GraphUpdate> out) throws Exception {
        emitAtState.clear();
        GraphUpdate totals = totalsState.value();
        if (totals != null) out.collect(new GraphUpdate(totals.bucketStartMillis(), totals.key(), totals.counts().copy()));
    }
}
