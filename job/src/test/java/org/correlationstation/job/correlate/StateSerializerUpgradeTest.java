package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Serializable;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.MapSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.correlationstation.connectors.loki.LokiEntry;
import org.correlationstation.connectors.loki.LokiEntrySerializer;
import org.correlationstation.connectors.redis.RedisRecordWrite;
import org.correlationstation.connectors.redis.RedisRecordWriteSerializer;
import org.correlationstation.connectors.tempo.TracesEntry;
import org.correlationstation.connectors.tempo.TracesEntrySerializer;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.job.types.HexIdSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden bytes of every release's state (the pattern of Flink's {@code TypeSerializerUpgradeTestBase}):
 * {@code src/test/resources/serializers/<release>/<state>/} holds the serializer snapshot and two values
 * as that release wrote them. This release must find each snapshot compatible (as is, or after migration)
 * and read the values back with the serializer Flink would restore them with. The sinks' writer states
 * (versioned serializers of their own) are checked the same way.
 *
 * <p>{@code -Dserializers.write=<dir>} writes this release's files instead (savepoints/README.md).
 */
class StateSerializerUpgradeTest {
    private static final String SNAPSHOT = "serializer-snapshot";
    private static final String DATA = "test-data";

    /** A state's serializer and the values its golden data holds. */
    record Case(String state, TypeSerializer<Object> serializer, List<Object> values) {}

    @SuppressWarnings("unchecked")
    private static Case of(String state, TypeSerializer<?> serializer, Object... values) {
        return new Case(state, (TypeSerializer<Object>) serializer, List.of(values));
    }

    static List<Case> cases() throws Exception {
        Map<String, LinkCounts> links = new HashMap<>();
        links.put("53995c3f42cd8ad8", StateTypesTest.populated(LinkCounts.class, 1));
        links.put("legacy-span-7", StateTypesTest.populated(LinkCounts.class, 2));
        return List.of(
                of("summary", TraceSummarySerializer.INSTANCE,
                        StateTypesTest.populated(TraceSummary.class, 1), StateTypesTest.populated(TraceSummary.class, 2)),
                of("span-info", SpanInfoSerializer.INSTANCE,
                        StateTypesTest.populated(SpanInfo.class, 1), StateTypesTest.populated(SpanInfo.class, 2)),
                of("pending-log", PendingLogSerializer.INSTANCE,
                        StateTypesTest.populated(PendingLog.class, 1), StateTypesTest.populated(PendingLog.class, 2)),
                of("trace-id-key", HexIdSerializer.INSTANCE, "4bf92f3577b34da6a3ce929d0e0e4736", "legacy-trace:42"),
                of("link-table", new MapSerializer<>(HexIdSerializer.INSTANCE, LinkCountsSerializer.INSTANCE), links));
    }

    static Stream<Arguments> releasesAndStates() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (String release : releases()) {
            for (Case c : cases()) out.add(Arguments.of(release, c.state()));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{1} of release {0}")
    @MethodSource("releasesAndStates")
    void everyReleasesStateIsReadByThisRelease(String release, String state) throws Exception {
        Case c = cases().stream().filter(x -> x.state().equals(state)).findFirst().orElseThrow();
        Path dir = resource("/serializers/" + release + "/" + state);
        TypeSerializerSnapshot<Object> old = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(Files.readAllBytes(dir.resolve(SNAPSHOT))), getClass().getClassLoader());
        TypeSerializerSchemaCompatibility<Object> compatibility =
                c.serializer().snapshotConfiguration().resolveSchemaCompatibility(old);
        assertThat(compatibility.isIncompatible()).as("%s of %s: %s", state, release, compatibility).isFalse();
        TypeSerializer<Object> reader = compatibility.isCompatibleAsIs() ? c.serializer() : old.restoreSerializer();
        DataInputDeserializer in = new DataInputDeserializer(Files.readAllBytes(dir.resolve(DATA)));
        for (Object expected : c.values()) {
            assertThat(reader.deserialize(in)).usingRecursiveComparison().isEqualTo(asWrittenBy(release, expected));
        }
        assertThat(in.available()).as("bytes left").isZero();
    }

    /**
     * A value of this release as an earlier release wrote it: the fields that release did not have yet
     * read back as their defaults. Release 0.1.0's logs have no trace id source (layout 1 of
     * {@code LogEventSerializer}; issue 24 added it), and its summaries no closed form (layout 4; issue 26).
     */
    private static Object asWrittenBy(String release, Object value) {
        if (release.equals("0.1.0") && value instanceof TraceSummary s) { // layout 4: no closed form
            TraceSummary old = TraceSummarySerializer.INSTANCE.copy(s);
            old.closedForm = false;
            return old;
        }
        if (release.equals("0.1.0") && value instanceof PendingLog p) {
            PendingLog old = PendingLogSerializer.INSTANCE.copy(p);
            old.log.traceIdSource = null;
            return old;
        }
        return value;
    }

    static Stream<Arguments> releasesAndSinks() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (String release : releases()) {
            for (String sink : sinkStates().keySet()) out.add(Arguments.of(release, sink));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{1} writer state of release {0}")
    @MethodSource("releasesAndSinks")
    void everyReleasesSinkWriterStateIsReadByThisRelease(String release, String sink) throws Exception {
        SinkState<?> s = sinkStates().get(sink);
        byte[] bytes = Files.readAllBytes(resource("/serializers/" + release + "/" + sink + "-writer-state").resolve(DATA));
        BufferedRequestState<?> restored = SimpleVersionedSerialization.readVersionAndDeSerialize(s.serializer(), bytes);
        assertThat(restored.getBufferedRequestEntries()).hasSize(1);
        assertThat(restored.getBufferedRequestEntries().get(0).getRequestEntry()).usingRecursiveComparison()
                .isEqualTo(s.state().getBufferedRequestEntries().get(0).getRequestEntry());
    }

    @Test
    @EnabledIfSystemProperty(named = "serializers.write", matches = ".+")
    void writeThisReleasesGoldenData() throws Exception {
        Path out = Path.of(System.getProperty("serializers.write")).toAbsolutePath();
        for (Case c : cases()) {
            Path dir = Files.createDirectories(out.resolve(c.state()));
            DataOutputSerializer snapshot = new DataOutputSerializer(64);
            TypeSerializerSnapshot.writeVersionedSnapshot(snapshot, c.serializer().snapshotConfiguration());
            Files.write(dir.resolve(SNAPSHOT), snapshot.getCopyOfBuffer());
            DataOutputSerializer data = new DataOutputSerializer(256);
            for (Object value : c.values()) c.serializer().serialize(value, data);
            Files.write(dir.resolve(DATA), data.getCopyOfBuffer());
        }
        for (Map.Entry<String, SinkState<?>> sink : sinkStates().entrySet()) {
            Path dir = Files.createDirectories(out.resolve(sink.getKey() + "-writer-state"));
            Files.write(dir.resolve(DATA), sink.getValue().bytes());
        }
    }

    /** A sink's writer-state serializer and a state of one buffered entry. */
    record SinkState<T extends Serializable>(SimpleVersionedSerializer<BufferedRequestState<T>> serializer, BufferedRequestState<T> state) {
        byte[] bytes() throws IOException {
            return SimpleVersionedSerialization.writeVersionAndSerialize(serializer, state);
        }
    }

    private static <T extends Serializable> SinkState<T> sinkState(SimpleVersionedSerializer<BufferedRequestState<T>> serializer, T entry) {
        return new SinkState<>(serializer, new BufferedRequestState<>(List.of(new RequestEntryWrapper<>(entry, 100))));
    }

    static Map<String, SinkState<?>> sinkStates() throws Exception {
        CorrelationRecord record = new CorrelationRecord();
        record.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        record.correlationId = "0b7b0a52-4a2c-5c3e-8f55-7a0e8e3f1c11";
        record.status = CorrelationRecord.OPEN;
        record.firstSeen = "2026-11-20T00:00:00.000Z";
        record.lastSeen = "2026-11-20T00:00:01.250Z";
        record.spanCount = 3;
        record.version = 2;
        Map<String, SinkState<?>> sinks = new LinkedHashMap<>();
        sinks.put("loki", sinkState(new LokiEntrySerializer(), new LokiEntry("checkout", "prod", "error",
                1_795_000_000_123_456_789L, "payment declined", Map.of("trace_id", record.traceId, "span_name", "charge"))));
        sinks.put("tempo", sinkState(new TracesEntrySerializer(), new TracesEntry(new byte[] {10, 2, 8, 1}, 1)));
        sinks.put("redis", sinkState(new RedisRecordWriteSerializer(), RedisRecordWrite.of(record)));
        return sinks;
    }

    private static List<String> releases() throws IOException, URISyntaxException {
        try (Stream<Path> dirs = Files.list(resource("/serializers"))) {
            List<String> releases = dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
            assertThat(releases).as("releases with golden data").isNotEmpty();
            return releases;
        }
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(StateSerializerUpgradeTest.class.getResource(name).toURI());
    }
}
