package org.correlationstation.job.correlate;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.job.types.LogEventSerializer;

/**
 * A pending log: its arrival time and the whole log, which goes on to Loki once decided. The log's
 * serializer is nested ({@link CompositeSnapshot}), so a new layout of {@link LogEventSerializer} migrates
 * the pending logs of a savepoint instead of misreading them.
 */
public final class PendingLogSerializer extends TypeSerializer<PendingLog> {
    private static final long serialVersionUID = 1L;
    static final PendingLogSerializer INSTANCE = new PendingLogSerializer(LogEventSerializer.INSTANCE);

    private final TypeSerializer<LogEvent> logs;

    PendingLogSerializer(TypeSerializer<LogEvent> logs) {
        this.logs = logs;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<PendingLog> duplicate() {
        TypeSerializer<LogEvent> copy = logs.duplicate();
        return copy == logs ? this : new PendingLogSerializer(copy);
    }

    @Override
    public PendingLog createInstance() {
        return new PendingLog();
    }

    @Override
    public PendingLog copy(PendingLog from) {
        return new PendingLog(from.log == null ? null : logs.copy(from.log), from.arrivedAt);
    }

    @Override
    public PendingLog copy(PendingLog from, PendingLog reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(PendingLog p, DataOutputView out) throws IOException {
        out.writeLong(p.arrivedAt);
        logs.serialize(p.log, out);
    }

    @Override
    public PendingLog deserialize(DataInputView in) throws IOException {
        long arrivedAt = in.readLong();
        return new PendingLog(logs.deserialize(in), arrivedAt);
    }

    @Override
    public PendingLog deserialize(PendingLog reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PendingLogSerializer other && logs.equals(other.logs);
    }

    @Override
    public int hashCode() {
        return logs.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<PendingLog> snapshotConfiguration() {
        return new CompositeSnapshot(this);
    }

    /** The snapshot since release 0.2.0: the log serializer's snapshot nested in it. */
    public static final class CompositeSnapshot extends CompositeTypeSerializerSnapshot<PendingLog, PendingLogSerializer> {
        public CompositeSnapshot() {}

        CompositeSnapshot(PendingLogSerializer serializer) {
            super(serializer);
        }

        @Override
        protected int getCurrentOuterSnapshotVersion() {
            return 1;
        }

        @Override
        protected TypeSerializer<?>[] getNestedSerializers(PendingLogSerializer outer) {
            return new TypeSerializer<?>[] {outer.logs};
        }

        @SuppressWarnings("unchecked")
        @Override
        protected PendingLogSerializer createOuterSerializerWithNestedSerializers(TypeSerializer<?>[] nested) {
            return new PendingLogSerializer((TypeSerializer<LogEvent>) nested[0]);
        }

        /** Release 0.1.0's snapshot named no nested one: its logs are in {@link LogEventSerializer}'s layout 1. */
        @Override
        public TypeSerializerSchemaCompatibility<PendingLog> resolveSchemaCompatibility(
                TypeSerializerSnapshot<PendingLog> oldSnapshot) {
            if (!(oldSnapshot instanceof Snapshot)) return super.resolveSchemaCompatibility(oldSnapshot);
            TypeSerializerSchemaCompatibility<LogEvent> logs = LogEventSerializer.INSTANCE.snapshotConfiguration()
                    .resolveSchemaCompatibility(Snapshot.logLayout());
            if (logs.isCompatibleAsIs()) return TypeSerializerSchemaCompatibility.compatibleAsIs();
            if (logs.isCompatibleAfterMigration()) return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            return TypeSerializerSchemaCompatibility.incompatible();
        }
    }

    /** Release 0.1.0's snapshot: kept to read its savepoints, whose pending logs it reads. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PendingLog> {
        public Snapshot() {
            super(() -> new PendingLogSerializer(logLayout().restoreSerializer()));
        }

        static TypeSerializerSnapshot<LogEvent> logLayout() {
            return new LogEventSerializer.Snapshot().at(1);
        }
    }
}
