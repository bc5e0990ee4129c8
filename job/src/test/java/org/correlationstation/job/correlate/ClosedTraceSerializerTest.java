package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.job.correlate.Events.sid;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class ClosedTraceSerializerTest {
    private static final long T0 = 1_790_000_000_000_000_000L;

    private static SpanInfo span(String id, String parent, String name, String service, long start, long end, boolean error) {
        SpanInfo s = new SpanInfo();
        s.spanId = id;
        s.parentSpanId = parent;
        s.name = name;
        s.service = service;
        s.startNanos = start;
        s.endNanos = end;
        s.error = error;
        return s;
    }

    private static LinkCounts counts(long logs, long inferred) {
        LinkCounts c = new LinkCounts();
        c.logCount = logs;
        c.inferredLogCount = inferred;
        return c;
    }

    private static byte[] bytes(ClosedTrace t) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        ClosedTraceSerializer.INSTANCE.serialize(t, out);
        return out.getCopyOfBuffer();
    }

    private static ClosedTrace read(byte[] bytes) throws Exception {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        ClosedTrace t = ClosedTraceSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).as("bytes left").isZero();
        return t;
    }

    @Test
    void everyFieldOfEverySpanLinkEdgeAndFingerprintComesBack() throws Exception {
        Map<String, SpanInfo> spans = new HashMap<>();
        for (SpanInfo s : new SpanInfo[] {
            span(sid(1), null, "GET /checkout", "gateway", T0, T0 + 840_123_457, false),
            span(sid(2), sid(1), "checkout", "checkout", T0 + 1, T0 + 700, true),          // nanosecond times
            span(sid(3), sid(9), "charge", "payments", T0 + 200_000, T0 + 100_000, false), // parent not tracked; ends before it starts
            span("legacy-span", sid(3), null, null, T0 - 5, T0 + 3, false),               // not 16 hex digits, earliest, no name
            span(sid(4), "legacy-span", "charge", "payments", Long.MAX_VALUE - 1, Long.MAX_VALUE, false),
            // names that share a prefix up to the middle of a surrogate pair (the dictionary is front-coded)
            span(sid(5), sid(1), "clef \uD834\uDD1E", "müsic", T0 + 10, T0 + 20, false),
            span(sid(6), sid(1), "clef \uD834\uDD1F", "müsic", T0 + 10, T0 + 20, false),
        }) {
            spans.put(s.spanId, s);
        }
        Map<String, LinkCounts> links = new HashMap<>();
        links.put(sid(2), counts(3, 1));
        links.put("legacy-span", counts(1, 0));
        links.put(sid(7), counts(2, 2)); // logs of a span that never arrived
        long[] edges = {GraphIncrements.idKey(sid(2)), GraphIncrements.idKey("legacy-span"), 42L};
        java.util.Arrays.sort(edges);
        ClosedTrace trace = new ClosedTrace(spans, new long[] {-7, 3, 99}, links, edges);

        ClosedTrace back = read(bytes(trace));

        assertThat(back.spans).usingRecursiveComparison().isEqualTo(spans);
        assertThat(back.links).usingRecursiveComparison().isEqualTo(links);
        assertThat(back.edgesCounted).containsExactly(edges);
        assertThat(back.fingerprints).containsExactly(-7, 3, 99);
        assertThat(bytes(back)).as("the same value, the same bytes").isEqualTo(bytes(trace));
        assertThat(ClosedTrace.spanIds(back.spans)).as("the span id set: canonical ids only, sorted")
                .containsExactly(java.util.stream.LongStream.of(1, 2, 3, 4, 5, 6).map(i -> java.util.HexFormat.fromHexDigitsToLong(sid((int) i)))
                        .sorted().toArray());
    }

    @Test
    void theBytesDoNotDependOnTheOrderTheSpansWereCollectedIn() throws Exception {
        String[] ids = {"f000000000000001", "0000000000000002", "7fffffffffffffff", "8000000000000000",
            "ABCDEF0123456789", "a-span", "Z-span", "00000000000000010", sid(3)};
        Map<String, SpanInfo> forward = new java.util.LinkedHashMap<>();
        Map<String, SpanInfo> backward = new java.util.LinkedHashMap<>();
        for (int i = 0; i < ids.length; i++) {
            forward.put(ids[i], span(ids[i], i == 0 ? null : ids[0], "op " + i, "svc", T0 + i, T0 + 10 * i, false));
            int j = ids.length - 1 - i;
            backward.put(ids[j], span(ids[j], j == 0 ? null : ids[0], "op " + j, "svc", T0 + j, T0 + 10 * j, false));
        }
        long[] edges = {GraphIncrements.idKey("a-span"), GraphIncrements.idKey("f000000000000001")};
        java.util.Arrays.sort(edges);
        byte[] one = bytes(new ClosedTrace(forward, SeenSet.EMPTY, new HashMap<>(), edges));
        byte[] other = bytes(new ClosedTrace(backward, SeenSet.EMPTY, new HashMap<>(), edges));
        assertThat(one).isEqualTo(other);
        ClosedTrace back = read(one);
        assertThat(back.spans).usingRecursiveComparison().isEqualTo(forward);
        assertThat(back.edgesCounted).containsExactly(edges);
    }

    @Test
    void anEmptyTraceComesBackEmpty() throws Exception {
        ClosedTrace back = read(bytes(new ClosedTrace(new HashMap<>(), SeenSet.EMPTY, new HashMap<>(), SeenSet.EMPTY)));
        assertThat(back.spans).isEmpty();
        assertThat(back.links).isEmpty();
        assertThat(back.edgesCounted).isEmpty();
        assertThat(back.fingerprints).isEmpty();
    }

    @Test
    void aTypicalSpanTakesAboutTwentyBytes() throws Exception {
        // 30 spans of 3 services and 6 names, whole-microsecond times, all
        // linked and counted: the open trace's five values took ~70 bytes per span
        Map<String, SpanInfo> spans = new HashMap<>();
        Map<String, LinkCounts> links = new HashMap<>();
        long[] edges = new long[30];
        for (int i = 1; i <= 30; i++) {
            long start = T0 + i * 1_234_000L;
            spans.put(sid(i), span(sid(i), i == 1 ? null : sid(i / 2), "operation " + i % 6, "service-" + i % 3,
                    start, start + 45_678_000L, false));
            links.put(sid(i), counts(1, 0));
            edges[i - 1] = GraphIncrements.idKey(sid(i));
        }
        java.util.Arrays.sort(edges);
        int size = bytes(new ClosedTrace(spans, SeenSet.EMPTY, links, edges)).length;
        assertThat(size / 30.0).isBetween(15.0, 25.0);
    }

    /** Layout 2's gaps between starts in order: the same values whatever their order of magnitude, wrapping too. */
    @Test
    void startsComeBackFromTheirGapsAtTheEdgesOfTime() throws Exception {
        Map<String, SpanInfo> spans = new HashMap<>();
        long[][] times = {{Long.MIN_VALUE, Long.MIN_VALUE + 5}, {Long.MAX_VALUE, Long.MAX_VALUE - 9}, {0, 0}, {0, 1},
            {-1, 1_000}, {T0, T0 - 1}, {T0, T0 + 3_000_000_000L}};
        for (int i = 0; i < times.length; i++) {
            spans.put(sid(i + 1), span(sid(i + 1), i == 0 ? null : sid(1), "op", "svc", times[i][0], times[i][1], false));
        }
        ClosedTrace trace = new ClosedTrace(spans, SeenSet.EMPTY, new HashMap<>(), SeenSet.EMPTY);
        assertThat(read(bytes(trace)).spans).usingRecursiveComparison().isEqualTo(spans);
    }

    /**
     * Layout 1 (builds of main before layout 2: spans in order of id, starts as offsets from the earliest)
     * is migrated on restore: its reader gives the same trace, which layout 2 writes in fewer bytes.
     */
    @Test
    void layout1IsReadAndMigratedToFewerBytes() throws Exception {
        java.util.Random random = new java.util.Random(19);
        Map<String, SpanInfo> spans = new HashMap<>();
        long rootEnd = T0 + 300_000_000L + random.nextInt(1_000_000);
        spans.put(sid(1), span(sid(1), null, "GET /", "gateway", T0, rootEnd, false));
        for (int i = 2; i <= 30; i++) { // nanosecond times within the root, as the benchmark's generator makes them
            long start = T0 + (long) (random.nextDouble() * 200_000_000L);
            spans.put(sid(i), span(sid(i), sid(1 + random.nextInt(i - 1)), "op " + i % 5, "svc " + i % 3,
                    start, start + 1_000 + random.nextInt(50_000_000), i % 7 == 0));
        }
        ClosedTrace trace = new ClosedTrace(spans, new long[] {1, 2, 3}, new HashMap<>(), SeenSet.EMPTY);
        DataOutputSerializer layout1 = new DataOutputSerializer(256);
        ClosedTraceSerializer.LAYOUT_1.serialize(trace, layout1);

        org.apache.flink.api.common.typeutils.TypeSerializerSnapshot<ClosedTrace> old = ClosedTraceSerializer.LAYOUT_1.snapshotConfiguration();
        DataOutputSerializer snapshot = new DataOutputSerializer(64);
        org.apache.flink.api.common.typeutils.TypeSerializerSnapshot.writeVersionedSnapshot(snapshot, old);
        org.apache.flink.api.common.typeutils.TypeSerializerSnapshot<ClosedTrace> restored =
                org.apache.flink.api.common.typeutils.TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(snapshot.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(ClosedTraceSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(restored)
                .isCompatibleAfterMigration()).isTrue();
        DataInputDeserializer in = new DataInputDeserializer(layout1.getCopyOfBuffer());
        ClosedTrace back = restored.restoreSerializer().deserialize(in);
        assertThat(in.available()).isZero();
        assertThat(back.spans).usingRecursiveComparison().isEqualTo(spans);
        assertThat(back.fingerprints).containsExactly(1, 2, 3);
        assertThat(bytes(back).length).as("layout 2 against layout 1's %s bytes", layout1.length())
                .isLessThan(layout1.length() - 10);
    }
}
