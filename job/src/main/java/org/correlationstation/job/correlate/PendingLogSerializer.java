package org.correlationstation.job.correlate;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.job.types.CompactSerializer;
import org.correlationstation.job.types.LogEventSerializer;

/** A pending log: its arrival time and the whole log, which goes on to Loki once decided. */
public final class PendingLogSerializer extends CompactSerializer<PendingLog> {
    private static final long serialVersionUID = 1L;
    static final PendingLogSerializer INSTANCE = new PendingLogSerializer();

    @Override
    public PendingLog createInstance() {
        return new PendingLog();
    }

    @Override
    public PendingLog copy(PendingLog from) {
        return new PendingLog(from.log == null ? null : LogEventSerializer.INSTANCE.copy(from.log), from.arrivedAt);
    }

    @Override
    public void serialize(PendingLog p, DataOutputView out) throws IOException {
        out.writeLong(p.arrivedAt);
        LogEventSerializer.INSTANCE.serialize(p.log, out);
    }

    @Override
    public PendingLog deserialize(DataInputView in) throws IOException {
        long arrivedAt = in.readLong();
        return new PendingLog(LogEventSerializer.INSTANCE.deserialize(in), arrivedAt);
    }

    @Override
    public TypeSerializerSnapshot<PendingLog> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PendingLog> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
