package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.job.types.LogEventSerializer;
import org.junit.jupiter.api.Test;

/**
 * Issue 24 gave {@link LogEvent} a trace id source, which pending logs keep in state: layout 2 of
 * {@link LogEventSerializer}. State written in layout 1 (release 0.1.0, and this code before the change) is
 * read with the layout-1 reader and written again in layout 2 (Flink's migration on restore); the golden
 * bytes of 0.1.0 are read in {@link StateSerializerUpgradeTest}.
 */
class PendingLogMigrationTest {

    @Test
    void aLogOfLayout1IsMigratedWithoutASource() throws Exception {
        LogEvent log = StateTypesTest.populated(LogEvent.class, 1);
        assertThat(log.traceIdSource).isNotNull();
        byte[] layout1 = write(LogEventSerializer.Layout1.INSTANCE, log);

        TypeSerializerSnapshot<LogEvent> old = roundTrip(new LogEventSerializer.Snapshot().at(1));
        TypeSerializerSchemaCompatibility<LogEvent> compatibility =
                LogEventSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(old);
        assertThat(compatibility.isCompatibleAfterMigration()).as(compatibility.toString()).isTrue();
        TypeSerializer<LogEvent> reader = old.restoreSerializer();
        assertThat(reader).isSameAs(LogEventSerializer.Layout1.INSTANCE);

        LogEvent read = read(reader, layout1);
        LogEvent expected = LogEventSerializer.INSTANCE.copy(log);
        expected.traceIdSource = null;
        assertThat(read).usingRecursiveComparison().isEqualTo(expected);
        LogEvent migrated = read(LogEventSerializer.INSTANCE, write(LogEventSerializer.INSTANCE, read));
        assertThat(migrated).usingRecursiveComparison().isEqualTo(expected);
        // and the current layout keeps the source
        assertThat(read(LogEventSerializer.INSTANCE, write(LogEventSerializer.INSTANCE, log)).traceIdSource)
                .isEqualTo(log.traceIdSource);
    }

    /** A savepoint of this code before issue 24 nests the log serializer's layout 1 in the pending logs' snapshot. */
    @Test
    void pendingLogsWhoseSnapshotNestsLayout1AreMigrated() throws Exception {
        PendingLogSerializer before = new PendingLogSerializer(LogEventSerializer.Layout1.INSTANCE);
        PendingLog pending = StateTypesTest.populated(PendingLog.class, 2);
        byte[] bytes = write(before, pending);

        TypeSerializerSnapshot<PendingLog> old = roundTrip(before.snapshotConfiguration());
        TypeSerializerSchemaCompatibility<PendingLog> compatibility =
                PendingLogSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(old);
        assertThat(compatibility.isCompatibleAfterMigration()).as(compatibility.toString()).isTrue();

        PendingLog read = read(old.restoreSerializer(), bytes);
        assertThat(read.arrivedAt).isEqualTo(pending.arrivedAt);
        assertThat(read.log.body).isEqualTo(pending.log.body);
        assertThat(read.log.attributes).isEqualTo(pending.log.attributes);
        assertThat(read.log.traceIdSource).isNull();
    }

    @Test
    void aLayoutNewerThanThisReleasesIsRefused() throws Exception {
        TypeSerializerSnapshot<LogEvent> newer = roundTrip(new LogEventSerializer.Snapshot().at(3));
        assertThat(LogEventSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(newer).isIncompatible())
                .isTrue();
    }

    private static <T> TypeSerializerSnapshot<T> roundTrip(TypeSerializerSnapshot<T> snapshot) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(out.getCopyOfBuffer()),
                PendingLogMigrationTest.class.getClassLoader());
    }

    private static <T> byte[] write(TypeSerializer<T> serializer, T value) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return out.getCopyOfBuffer();
    }

    private static <T> T read(TypeSerializer<T> serializer, byte[] bytes) throws Exception {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        T value = serializer.deserialize(in);
        assertThat(in.available()).as("bytes left").isZero();
        return value;
    }
}
