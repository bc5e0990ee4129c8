package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.CompositeType;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.correlationstation.connectors.loki.LokiEntry;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.job.types.CompactTypes;
import org.correlationstation.job.types.LogEventSerializer;
import org.correlationstation.job.types.LokiEntryTypeSerializer;
import org.correlationstation.job.types.SpanEventSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The correlator's state and stream types: hand-written serializers that carry every field (a field
 * added to a class but not to its serializer fails here), and no Kryo anywhere else.
 */
class StateTypesTest {

    static Stream<Arguments> compactTypes() {
        return Stream.of(
                Arguments.of(TraceSummary.class, TraceSummarySerializer.INSTANCE),
                Arguments.of(SpanInfo.class, SpanInfoSerializer.INSTANCE),
                Arguments.of(LinkCounts.class, LinkCountsSerializer.INSTANCE),
                Arguments.of(PendingLog.class, PendingLogSerializer.INSTANCE),
                Arguments.of(JoinedLog.class, JoinedLogSerializer.INSTANCE),
                Arguments.of(SpanEvent.class, SpanEventSerializer.INSTANCE),
                Arguments.of(LogEvent.class, LogEventSerializer.INSTANCE),
                Arguments.of(LokiEntry.class, LokiEntryTypeSerializer.INSTANCE));
    }

    @ParameterizedTest
    @MethodSource("compactTypes")
    <T> void everyFieldSurvivesSerialisationAndCopy(Class<T> type, TypeSerializer<T> serializer) throws Exception {
        T original = populated(type, 1);
        T copy = fromKey(roundTrip(serializer, original), original);
        assertThat(copy).usingRecursiveComparison().isEqualTo(original);
        assertThat(serializer.copy(original)).usingRecursiveComparison().isEqualTo(original);
        // and a second, different value: no field is written as a constant
        T other = populated(type, 2);
        assertThat(fromKey(roundTrip(serializer, other), other)).usingRecursiveComparison().isEqualTo(other)
                .isNotEqualTo(original);
    }

    @ParameterizedTest
    @MethodSource("compactTypes")
    <T> void defaultsAndNullsSurvive(Class<T> type, TypeSerializer<T> serializer) throws Exception {
        T empty = serializer.createInstance();
        if (empty instanceof PendingLog p) p.log = new LogEvent();
        if (empty instanceof JoinedLog j) j.log = new LogEvent();
        assertThat(roundTrip(serializer, empty)).usingRecursiveComparison().isEqualTo(empty);
    }

    @ParameterizedTest
    @MethodSource("compactTypes")
    <T> void theSnapshotRestoresTheSameSerializer(Class<T> type, TypeSerializer<T> serializer) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<T> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored.restoreSerializer()).isEqualTo(serializer);
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAsIs()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("earlierLayouts")
    void aSummarySnapshotOfAnEarlierStateLayoutIsRefused(TypeSerializerSnapshot<TraceSummary> earlier) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, earlier);
        TypeSerializerSnapshot<TraceSummary> old = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(TraceSummarySerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(old)
                .isIncompatible()).isTrue();
    }

    static Stream<TypeSerializerSnapshot<TraceSummary>> earlierLayouts() {
        return Stream.of(new TraceSummarySerializer.Snapshot(), new TraceSummarySerializer.StateLayout3Snapshot());
    }

    @Test
    void idsAreStoredAsBytesAndOtherIdsAsText() throws Exception {
        SpanInfo s = new SpanInfo();
        s.spanId = "53995c3f42cd8ad8";
        s.parentSpanId = "00f067aa0ba902b7";
        assertThat(size(SpanInfoSerializer.INSTANCE, s)).isEqualTo(9 + 2 + 9 + 8 + 8 + 1);
        for (String id : new String[] {"00f067aa0ba902b7", "4bf92f3577b34da6a3ce929d0e0e4736", "not-hex", "ABCDEF0123456789",
                "", null}) {
            s.spanId = id;
            s.parentSpanId = id;
            SpanInfo back = roundTrip(SpanInfoSerializer.INSTANCE, s);
            assertThat(back.spanId).isEqualTo(id);
            assertThat(back.parentSpanId).isEqualTo(id);
        }
    }

    @Test
    void theRecordIsAPojoWithoutGenericFields() {
        TypeInformation<?> info = TypeInformation.of(CorrelationRecord.class);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        assertNoGenericTypes(info, "CorrelationRecord");
        assertNoGenericTypes(CompactTypes.SPAN_EVENT, "SpanEvent");
        assertNoGenericTypes(TraceCorrelator.DECIDED_LOGS.getTypeInfo(), "JoinedLog");
    }

    private static void assertNoGenericTypes(TypeInformation<?> info, String path) {
        assertThat(info).as(path + " would be serialised by Kryo").isNotInstanceOf(GenericTypeInfo.class);
        if (info instanceof CompositeType<?> composite) {
            for (int i = 0; i < composite.getArity(); i++) {
                assertNoGenericTypes(composite.getTypeAt(i), path + "." + composite.getFieldNames()[i]);
            }
        }
        if (info instanceof ListTypeInfo<?> list) assertNoGenericTypes(list.getElementTypeInfo(), path + "[]");
        List<TypeInformation<?>> params = List.copyOf(info.getGenericParameters().values());
        for (TypeInformation<?> p : params) assertNoGenericTypes(p, path + "<>");
    }

    /**
     * A summary's ids are its key's (TraceSummarySerializer writes neither): as the correlator reads it,
     * with the ids set from the key, and only those two (the others must come back from the bytes).
     */
    @SuppressWarnings("unchecked")
    private static <T> T fromKey(T read, T original) {
        if (!(read instanceof TraceSummary s)) return read;
        assertThat(s.traceId).isNull();
        assertThat(s.correlationId).isNull();
        s.traceId = ((TraceSummary) original).traceId;
        s.correlationId = ((TraceSummary) original).correlationId;
        return (T) s;
    }

    private static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        T read = serializer.deserialize(in);
        assertThat(in.available()).as("bytes left after reading").isZero();
        return read;
    }

    private static <T> int size(TypeSerializer<T> serializer, T value) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        return out.length();
    }

    /** Every instance field set to a value that differs from its default and between seeds. */
    static <T> T populated(Class<T> type, int seed) throws Exception {
        T value = type.getDeclaredConstructor().newInstance();
        int n = 0;
        for (Field f : type.getDeclaredFields()) {
            // transient: held in memory beside the state value, never serialized (TraceSummary.held)
            if (Modifier.isStatic(f.getModifiers()) || Modifier.isTransient(f.getModifiers())) continue;
            f.setAccessible(true);
            n++;
            Class<?> t = f.getType();
            Object v;
            if (t == long.class) v = (long) seed * 1_000_003L + n;
            else if (t == int.class) v = seed * 1_009 + n;
            else if (t == boolean.class) v = seed % 2 == 1;
            else if (t == String.class) v = f.getName().toLowerCase().endsWith("id") ? hexId(f.getName(), seed, n) : f.getName() + "-ü" + seed;
            else if (t == String[].class) v = new String[] {"a" + seed, "b" + seed};
            else if (t == Map.class) v = new java.util.HashMap<>(Map.of("k" + seed, "v" + seed, "http.route", "/x"));
            else if (t == LogEvent.class) v = populated(LogEvent.class, seed);
            else throw new AssertionError("no test value for " + type.getSimpleName() + "." + f.getName() + " of " + t);
            f.set(value, v);
        }
        if (n == 0) fail(type + " has no fields");
        return value;
    }

    private static String hexId(String field, int seed, int n) {
        // trace ids 32 hex, span ids 16 hex, others (correlation id, legacy id) as text
        if (field.equals("traceId")) return String.format("%032x", seed * 31L + n);
        if (field.toLowerCase().contains("spanid")) return String.format("%016x", seed * 17L + n);
        return field + "-" + seed;
    }
}
