package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.correlationstation.core.record.CorrelationIds;
import org.junit.jupiter.api.Test;

/**
 * The summary's compact fields: every value comes back, however far from its base; the ids come from the
 * key; earlier layouts are read and migrated (StateTypesTest covers the rest).
 */
class TraceSummarySerializerTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void theIdsAreLeftToTheKey() throws Exception {
        TraceSummary s = StateTypesTest.populated(TraceSummary.class, 1);
        s.traceId = TRACE;
        s.correlationId = CorrelationIds.forTrace(TRACE);
        TraceSummary read = roundTrip(TraceSummarySerializer.INSTANCE, s);
        assertThat(read.traceId).isNull();
        assertThat(read.correlationId).isNull();
        assertThat(read.ofTrace(TRACE)).usingRecursiveComparison().isEqualTo(s);
        assertThat(size(s, 5) - size(s, TraceSummarySerializer.LAYOUT)).as("bytes saved per summary").isEqualTo(34);
        // a summary that has its ids keeps them; a copy keeps them too (a heap backend's copies)
        TraceSummary held = TraceSummarySerializer.INSTANCE.copy(s);
        assertThat(held).usingRecursiveComparison().isEqualTo(s);
        assertThat(held.ofTrace("another").traceId).isEqualTo(TRACE);
    }

    /** Layout 5 (unreleased builds between 0.1.0 and layout 6): migrated on restore, its ids as they were. */
    @Test
    void layout5IsReadAndMigrated() throws Exception {
        TraceSummary s = StateTypesTest.populated(TraceSummary.class, 2);
        s.traceId = TRACE;
        s.correlationId = CorrelationIds.forTrace(TRACE);
        DataOutputSerializer out = new DataOutputSerializer(256);
        TraceSummarySerializer.write(s, out, 5);
        TypeSerializerSnapshot<TraceSummary> old = new TraceSummarySerializer.StateLayout4Snapshot().at(5);
        DataOutputSerializer snapshot = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(snapshot, old);
        TypeSerializerSnapshot<TraceSummary> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(snapshot.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(TraceSummarySerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(restored)
                .isCompatibleAfterMigration()).isTrue();
        TypeSerializer<TraceSummary> reader = restored.restoreSerializer();
        assertThat(reader).isNotEqualTo(TraceSummarySerializer.INSTANCE);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(reader.deserialize(in)).usingRecursiveComparison().isEqualTo(s);
        assertThat(in.available()).isZero();
    }

    /** A snapshot of a later layout (a newer release's savepoint) is refused, not misread. */
    @Test
    void aLaterLayoutIsRefused() {
        TypeSerializerSnapshot<TraceSummary> later = new TraceSummarySerializer.StateLayout4Snapshot().at(TraceSummarySerializer.LAYOUT + 1);
        assertThat(TraceSummarySerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(later)
                .isIncompatible()).isTrue();
    }

    private static TraceSummary roundTrip(TypeSerializer<TraceSummary> serializer, TraceSummary s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(s, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        TraceSummary read = serializer.deserialize(in);
        assertThat(in.available()).isZero();
        return read;
    }

    private static int size(TraceSummary s, int layout) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        TraceSummarySerializer.write(s, out, layout);
        return out.length();
    }

    @Test
    void everyTimeComesBackFromEveryBase() throws Exception {
        long[] special = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1,
            1_790_000_000_000L, 1_790_000_000_000_000_000L};
        Random random = new Random(26);
        DataOutputSerializer out = new DataOutputSerializer(1024);
        long[][] pairs = new long[special.length * special.length + 2000][];
        int n = 0;
        for (long value : special) for (long base : special) pairs[n++] = new long[] {value, base};
        for (int i = 0; i < 2000; i++) pairs[n++] = new long[] {random.nextLong(), random.nextLong()};
        for (long[] p : pairs) TraceSummarySerializer.writeTime(out, p[0], p[1]);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (long[] p : pairs) assertThat(TraceSummarySerializer.readTime(in, p[1])).isEqualTo(p[0]);
        assertThat(in.available()).isZero();
    }

    @Test
    void aTimeNearItsBaseTakesAFewBytes() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TraceSummarySerializer.writeTime(out, 1_790_000_012_345L, 1_790_000_000_000L); // 12 s later, in ms
        assertThat(out.length()).isEqualTo(3);
    }

    @Test
    void correlationIdsComeBackAsTheyWere() throws Exception {
        String[] ids = {CorrelationIds.forTrace("4bf92f3577b34da6a3ce929d0e0e4736"), "0B7B0A52-4A2C-5C3E-8F55-7A0E8E3F1C11",
            "legacy-correlation-7", "", null, "0b7b0a52-4a2c-5c3e-8f55-7a0e8e3f1c1"};
        DataOutputSerializer out = new DataOutputSerializer(256);
        for (String id : ids) TraceSummarySerializer.writeCorrelationId(out, id);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (String id : ids) assertThat(TraceSummarySerializer.readCorrelationId(in)).isEqualTo(id);
        assertThat(in.available()).isZero();
        DataOutputSerializer one = new DataOutputSerializer(64);
        TraceSummarySerializer.writeCorrelationId(one, ids[0]);
        assertThat(one.length()).as("a UUID as its 16 bytes and a tag").isEqualTo(17);
    }
}
