package org.correlationstation.job.correlate;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.job.types.CompactSerializer;

/**
 * An earlier layout of the summary, kept to read its savepoints, which Flink migrates to the current
 * layout on restore ({@link TraceSummarySerializer.StateLayout4Snapshot}): layout 4 (release 0.1.0's)
 * and layout 5 (unreleased: builds of main between 0.1.0 and layout 6). The fields are
 * {@link TraceSummarySerializer}'s, in that layout's encoding ({@link TraceSummarySerializer#read}).
 */
final class TraceSummaryEarlierLayoutSerializer extends CompactSerializer<TraceSummary> {
    private static final long serialVersionUID = 1L;
    static final TraceSummaryEarlierLayoutSerializer LAYOUT_4 = new TraceSummaryEarlierLayoutSerializer(4);
    static final TraceSummaryEarlierLayoutSerializer LAYOUT_5 = new TraceSummaryEarlierLayoutSerializer(5);

    private final int layout;

    private TraceSummaryEarlierLayoutSerializer(int layout) {
        this.layout = layout;
    }

    @Override
    public TraceSummary createInstance() {
        return new TraceSummary();
    }

    @Override
    public TraceSummary copy(TraceSummary from) {
        return TraceSummarySerializer.INSTANCE.copy(from);
    }

    @Override
    public void serialize(TraceSummary s, DataOutputView out) throws IOException {
        TraceSummarySerializer.write(s, out, layout);
    }

    @Override
    public TraceSummary deserialize(DataInputView in) throws IOException {
        return TraceSummarySerializer.read(in, layout);
    }

    @Override
    public TypeSerializerSnapshot<TraceSummary> snapshotConfiguration() {
        return new TraceSummarySerializer.StateLayout4Snapshot().at(layout);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TraceSummaryEarlierLayoutSerializer other && other.layout == layout;
    }

    @Override
    public int hashCode() {
        return 31 * TraceSummaryEarlierLayoutSerializer.class.hashCode() + layout;
    }
}
