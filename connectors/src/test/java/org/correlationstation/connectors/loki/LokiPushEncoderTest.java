package org.correlationstation.connectors.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.correlationstation.connectors.testutil.LokiTestServer;
import org.correlationstation.connectors.testutil.LokiTestServer.Entry;
import org.correlationstation.connectors.testutil.LokiTestServer.Stream;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/** The wire format, read back by the test server's independent decoder. */
class LokiPushEncoderTest {
    static LokiEntry entry(String service, String level, long ts, String line, Map<String, String> meta) {
        return new LokiEntry(service, "prod", level, ts, line, new LinkedHashMap<>(meta));
    }

    static List<Stream> roundTrip(LokiPushEncoder.Encoded encoded) throws Exception {
        return LokiTestServer.decode(Snappy.uncompress(encoded.body()));
    }

    @Test
    void groupsByLabelSetAndSortsEachStreamByTime() throws Exception {
        List<LokiEntry> batch = List.of(
                entry("checkout", "info", 3_000_000_005L, "c3", Map.of()),
                entry("payments", "error", 2_000_000_000L, "p2", Map.of("trace_id", "ab")),
                entry("checkout", "info", 1_000_000_001L, "c1", Map.of()),
                entry("checkout", "warn", 5L, "w", Map.of()),
                entry("checkout", "info", 2_500_000_000L, "c2", Map.of()));

        LokiPushEncoder.Encoded encoded = LokiPushEncoder.encode(batch);
        List<Stream> streams = roundTrip(encoded);

        assertThat(encoded.streams()).isEqualTo(3);
        assertThat(encoded.entries()).isEqualTo(5);
        assertThat(encoded.truncatedLines()).isZero();
        assertThat(streams).extracting(Stream::labelString).containsExactlyInAnyOrder(
                "{deployment_environment=\"prod\", level=\"info\", service_name=\"checkout\"}",
                "{deployment_environment=\"prod\", level=\"warn\", service_name=\"checkout\"}",
                "{deployment_environment=\"prod\", level=\"error\", service_name=\"payments\"}");
        Stream info = streams.stream().filter(s -> s.labels().equals(Map.of(
                "service_name", "checkout", "deployment_environment", "prod", "level", "info"))).findFirst().orElseThrow();
        assertThat(info.entries()).extracting(Entry::line).containsExactly("c1", "c2", "c3");
        assertThat(info.entries()).extracting(Entry::timestampNanos)
                .containsExactly(1_000_000_001L, 2_500_000_000L, 3_000_000_005L);
        Stream payments = streams.stream().filter(s -> "payments".equals(s.labels().get("service_name")))
                .findFirst().orElseThrow();
        assertThat(payments.entries().get(0).metadata()).isEqualTo(Map.of("trace_id", "ab"));
    }

    @Test
    void carriesMetadataWithLokiSafeNamesMandatoryFirst() throws Exception {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("http.method", "GET");
        meta.put("user-id", "42");
        meta.put("9lives", "cat");
        meta.put("correlation_id", "c-1");
        meta.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
        meta.put("span_id", "00f067aa0ba902b7");
        meta.put("span_name", "GET /pay");
        meta.put("inferred_span", "true");
        meta.put("empty", "");

        List<Stream> streams = roundTrip(LokiPushEncoder.encode(List.of(entry("s", "info", 1, "hello ü 😀", meta))));

        Entry e = streams.get(0).entries().get(0);
        assertThat(e.line()).isEqualTo("hello ü 😀");
        assertThat(new ArrayList<>(e.metadata().keySet())).containsExactly("trace_id", "span_id", "correlation_id",
                "span_name", "inferred_span", "_9lives", "empty", "http_method", "user_id");
        assertThat(e.metadata()).containsEntry("http_method", "GET").containsEntry("user_id", "42")
                .containsEntry("_9lives", "cat").containsEntry("empty", "").containsEntry("inferred_span", "true");
    }

    @Test
    void metadataNamesThatCollideKeepOneValueWhateverTheMapOrder() throws Exception {
        for (boolean reversed : new boolean[] {false, true}) {
            Map<String, String> meta = new LinkedHashMap<>();
            List<String[]> pairs = new ArrayList<>(List.of(
                    new String[] {"a_b", "2"}, new String[] {"a.b", "1"}, new String[] {"a-b", "0"},
                    new String[] {"trace.id", "other"}, new String[] {"trace_id", "t"},
                    new String[] {"span.id", "s"}));
            if (reversed) java.util.Collections.reverse(pairs);
            for (String[] p : pairs) meta.put(p[0], p[1]);

            Entry e = roundTrip(LokiPushEncoder.encode(List.of(entry("s", "info", 1, "x", meta)))).get(0).entries().get(0);

            // a-b < a.b < a_b; the mandatory trace_id beats trace.id; span.id takes span_id among the others
            assertThat(new ArrayList<>(e.metadata().keySet())).containsExactly("trace_id", "a_b", "span_id");
            assertThat(e.metadata()).containsEntry("a_b", "0").containsEntry("trace_id", "t").containsEntry("span_id", "s");
        }
    }

    /** Issue 24: trace_id_source=body marks a trace id found in the log's text; it is one of the job's own keys. */
    @Test
    void theTraceIdSourceIsKeptFirstAndNoAttributePassesForIt() throws Exception {
        Map<String, String> meta = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) meta.put(String.format("attr.%03d", i), "v" + i);
        meta.put("trace.id.source", "forged");
        meta.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
        meta.put("trace_id_source", "body");

        LokiPushEncoder.Encoded encoded = LokiPushEncoder.encode(List.of(entry("s", "info", 1, "x", meta)));
        Entry e = roundTrip(encoded).get(0).entries().get(0);

        assertThat(encoded.truncatedLines()).isEqualTo(1);
        assertThat(new ArrayList<>(e.metadata().keySet()).subList(0, 3)).containsExactly("trace_id", "trace_id_source", "attr_000");
        assertThat(e.metadata()).containsEntry("trace_id_source", "body").doesNotContainValue("forged");
    }

    @Test
    void entriesWhoseLabelsComeOutTheSameShareAStreamInBatchOrder() throws Exception {
        List<LokiEntry> batch = List.of(
                new LokiEntry(null, "", "info", 5, "first", null),
                new LokiEntry("", null, "info", 5, "second", null),
                new LokiEntry(LokiPushEncoder.UNKNOWN_SERVICE, null, "info", 5, "third", null),
                new LokiEntry(null, null, "info", 4, "earliest", null));

        List<Stream> streams = roundTrip(LokiPushEncoder.encode(batch));

        assertThat(streams).hasSize(1);
        assertThat(streams.get(0).entries()).extracting(Entry::line).containsExactly("earliest", "first", "second", "third");
    }

    @Test
    void escapesLabelValuesAndDefaultsTheService() throws Exception {
        LokiEntry weird = new LokiEntry("a\"b\\c\nd\te\u0001", null, "", -1_500_000_000L, "", null);
        List<Stream> streams = roundTrip(LokiPushEncoder.encode(List.of(weird)));

        assertThat(streams.get(0).labelString()).isEqualTo("{service_name=\"a\\\"b\\\\c\\nd\\te\\u0001\"}");
        assertThat(streams.get(0).labels()).isEqualTo(Map.of("service_name", "a\"b\\c\nd\te\u0001"));
        assertThat(streams.get(0).entries().get(0).timestampNanos()).isEqualTo(-1_500_000_000L);
        assertThat(LokiPushEncoder.labels(new LokiEntry())).isEqualTo("{service_name=\"unknown_service\"}");
    }

    @Test
    void truncatesMetadataAndLinesButKeepsTheEntry() throws Exception {
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            many.put(String.format("attr.%03d", i), "v" + i);
        }
        many.put("trace_id", "t");
        many.put("zzz_correlation", "last");
        Map<String, String> big = new LinkedHashMap<>();
        big.put("span_id", "s");
        big.put("a_huge", "x".repeat(70 * 1024)); // alone over 64 KiB: skipped
        big.put("b_half", "y".repeat(40 * 1024));
        big.put("c_half", "z".repeat(40 * 1024)); // would exceed 64 KiB with b_half: skipped
        big.put("d_small", "ok");
        String longLine = "é".repeat(LokiPushEncoder.MAX_LINE_BYTES); // 2 bytes each: twice the limit
        List<LokiEntry> batch = List.of(
                entry("s", "info", 1, "many", many),
                entry("s", "info", 2, "big", big),
                entry("s", "info", 3, longLine, Map.of()),
                entry("s", "info", 4, "fine", Map.of("k", "v")));

        LokiPushEncoder.Encoded encoded = LokiPushEncoder.encode(batch);
        List<Entry> entries = roundTrip(encoded).get(0).entries();

        assertThat(encoded.truncatedLines()).isEqualTo(3);
        assertThat(entries).hasSize(4);
        Map<String, String> m0 = entries.get(0).metadata();
        assertThat(m0).hasSize(LokiPushEncoder.MAX_METADATA_ENTRIES).containsEntry("trace_id", "t")
                .containsEntry("attr_000", "v0").doesNotContainKey("zzz_correlation");
        assertThat(m0.keySet().iterator().next()).isEqualTo("trace_id");
        assertThat(entries.get(1).metadata()).containsOnlyKeys("span_id", "b_half", "d_small");
        String cut = entries.get(2).line();
        assertThat(cut.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(LokiPushEncoder.MAX_LINE_BYTES);
        assertThat(cut).isEqualTo("é".repeat(LokiPushEncoder.MAX_LINE_BYTES / 2));
        assertThat(entries.get(3).metadata()).isEqualTo(Map.of("k", "v"));
    }

    @Test
    void safeKeys() {
        assertThat(LokiPushEncoder.safeKey("service.name")).isEqualTo("service_name");
        assertThat(LokiPushEncoder.safeKey("a-b/c")).isEqualTo("a_b_c");
        assertThat(LokiPushEncoder.safeKey("1x")).isEqualTo("_1x");
        assertThat(LokiPushEncoder.safeKey("")).isEqualTo("_");
        assertThat(LokiPushEncoder.safeKey("ok_Name9")).isEqualTo("ok_Name9");
    }

    /**
     * The hand encoder (kept because it is faster, docs/sinks.md) writes exactly what the classes
     * generated from Loki's push.proto write: field numbers, wire types, the always-present timestamp,
     * proto3's omitted defaults, multi-byte text, negative and zero times.
     */
    @Test
    void handEncoderWritesTheGeneratedClassesBytes() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("trace_id", "0af7651916cd43dd8448eb211c80319c");
        meta.put("span_id", "b7ad6b7169203331");
        meta.put("empty", "");
        meta.put("näme", "välue ✓ 🙂");
        meta.put("http.route", "/items/{id}");
        List<LokiEntry> batch = new ArrayList<>();
        batch.add(entry("checkout", "info", 1_700_000_000_123_456_789L, "GET /items ✓", meta));
        batch.add(entry("checkout", "info", 0L, "", Map.of()));
        batch.add(entry("checkout", "info", -1_500_000_000L, "before the epoch", Map.of("k", "v")));
        batch.add(entry("", null, 1_000_000_000L, "a whole second", Map.of()));
        batch.add(entry("payments", "error", 999_999_999L, "x".repeat(300), meta));
        for (int n = 0; n <= batch.size(); n++) {
            List<LokiEntry> part = batch.subList(0, n);
            assertThat(LokiPushEncoder.encodeUncompressed(part)).as("first %d entries", n)
                    .isEqualTo(LokiPushEncoder.serializeGenerated(part));
        }
    }

    @Test
    void emptyBatchIsAnEmptyRequest() throws Exception {
        assertThat(roundTrip(LokiPushEncoder.encode(List.of()))).isEmpty();
    }
}
