package org.correlationstation.job.correlate;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.job.types.CompactSerializer;

/**
 * The summary's layout 4, release 0.1.0's: kept to read its savepoints, which Flink migrates to the
 * current layout on restore ({@link TraceSummarySerializer.StateLayout4Snapshot}). The fields are
 * {@link TraceSummarySerializer}'s, in 0.1.0's encoding ({@link TraceSummarySerializer#read}).
 */
final class TraceSummaryLayout4Serializer extends CompactSerializer<TraceSummary> {
    private static final long serialVersionUID = 1L;
    static final TraceSummaryLayout4Serializer INSTANCE = new TraceSummaryLayout4Serializer();

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
        TraceSummarySerializer.write(s, out, true);
    }

    @Override
    public TraceSummary deserialize(DataInputView in) throws IOException {
        return TraceSummarySerializer.read(in, true);
    }

    @Override
    public TypeSerializerSnapshot<TraceSummary> snapshotConfiguration() {
        return new TraceSummarySerializer.StateLayout4Snapshot().at(4);
    }
}
