package org.correlationstation.job.types;

import static org.correlationstation.job.types.CompactEncoding.readVarInt;
import static org.correlationstation.job.types.CompactEncoding.readVarLong;
import static org.correlationstation.job.types.CompactEncoding.writeVarInt;
import static org.correlationstation.job.types.CompactEncoding.writeVarLong;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.core.graph.DurationHistogram;
import org.correlationstation.core.graph.GraphCounts;

/**
 * A service-graph element's counts: varints, and the histogram as bucket deltas (ascending buckets, so
 * after the first each delta is small) with their counts.
 */
public final class GraphCountsSerializer extends CompactSerializer<GraphCounts> {
    private static final long serialVersionUID = 1L;
    public static final GraphCountsSerializer INSTANCE = new GraphCountsSerializer();

    @Override
    public GraphCounts createInstance() {
        return new GraphCounts();
    }

    @Override
    public GraphCounts copy(GraphCounts from) {
        return from.copy();
    }

    @Override
    public void serialize(GraphCounts c, DataOutputView out) throws IOException {
        writeVarLong(out, c.calls);
        writeVarLong(out, c.errors);
        writeVarLong(out, c.durationMicrosSum);
        int[] buckets = c.durations.buckets();
        long[] counts = c.durations.counts();
        writeVarInt(out, buckets.length);
        int previous = 0;
        for (int i = 0; i < buckets.length; i++) {
            // the first as it is (it may be DurationHistogram.ZERO), then the gaps
            writeVarInt(out, i == 0 ? buckets[0] : buckets[i] - previous);
            writeVarLong(out, counts[i]);
            previous = buckets[i];
        }
    }

    @Override
    public GraphCounts deserialize(DataInputView in) throws IOException {
        long calls = readVarLong(in);
        long errors = readVarLong(in);
        long sum = readVarLong(in);
        int n = readVarInt(in);
        int[] buckets = new int[n];
        long[] counts = new long[n];
        for (int i = 0; i < n; i++) {
            int v = readVarInt(in);
            buckets[i] = i == 0 ? v : buckets[i - 1] + v;
            counts[i] = readVarLong(in);
        }
        return new GraphCounts(calls, errors, sum, DurationHistogram.of(buckets, counts));
    }

    @Override
    public TypeSerializerSnapshot<GraphCounts> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Layout 1 (release 0.2.0): a change of {@code serialize} is a new layout (docs/upgrades.md). */
    public static final class Snapshot extends LayoutSnapshot<GraphCounts> {
        public Snapshot() {
            super(1, 1, layout -> layout == 1 ? INSTANCE : null);
        }
    }
}
