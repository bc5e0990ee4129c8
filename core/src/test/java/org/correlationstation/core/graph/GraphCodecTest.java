package org.correlationstation.core.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Redis hash's field and value formats: exact, round-tripping any service name, strict on reading. */
class GraphCodecTest {
    /** Names that would break a format built by concatenation. */
    static final List<String> NAMES = List.of("checkout", "with \"quotes\"", "a,b", "[\"x\",\"y\"]", "back\\slash",
            "ünïcödé-服务-🚀", "", " ", "new\nline", "nul\u0000char", "tab\tand]bracket");

    @Test
    void fieldsAreJsonArraysOfOneOrTwoNames() {
        assertThat(GraphCodec.field(GraphKey.node("checkout"))).isEqualTo("[\"checkout\"]");
        assertThat(GraphCodec.field(GraphKey.edge("frontend", "checkout"))).isEqualTo("[\"frontend\",\"checkout\"]");
        assertThat(GraphCodec.key("[\"checkout\"]")).isEqualTo(GraphKey.node("checkout"));
        assertThat(GraphCodec.key("[ \"frontend\" , \"checkout\" ]")).isEqualTo(GraphKey.edge("frontend", "checkout"));
    }

    @Test
    void everyNameRoundTripsAndNodesNeverReadAsEdges() {
        for (String a : NAMES) {
            GraphKey node = GraphKey.node(a);
            assertThat(GraphCodec.key(GraphCodec.field(node))).as(a).isEqualTo(node);
            for (String b : NAMES) {
                GraphKey edge = GraphKey.edge(a, b);
                assertThat(GraphCodec.key(GraphCodec.field(edge))).as("%s → %s", a, b).isEqualTo(edge);
            }
        }
        // The node "a,b" and the edge a → b are different fields.
        assertThat(GraphCodec.field(GraphKey.node("a\",\"b"))).isNotEqualTo(GraphCodec.field(GraphKey.edge("a", "b")));
        assertThat(GraphCodec.key(GraphCodec.field(GraphKey.node("a\",\"b"))).isEdge()).isFalse();
    }

    @Test
    void valuesRoundTripWithTheirHistogram() {
        GraphCounts c = new GraphCounts();
        c.add(1_500_000, false); // 1.5 ms
        c.add(250_000_000, true); // 250 ms
        c.add(250_000_000, false);
        c.add(0, false); // the zero bucket
        String value = GraphCodec.value(c);
        assertThat(value).startsWith("{\"calls\":4,\"errors\":1,\"duration_us_sum\":501500,\"buckets\":[");
        assertThat(GraphCodec.counts(value)).isEqualTo(c);
        assertThat(GraphCodec.counts(value).durations.quantile(1.0)).isCloseTo(250.0,
                org.assertj.core.data.Percentage.withPercentage(100 * DurationHistogram.RELATIVE_ERROR));

        GraphCounts empty = new GraphCounts();
        assertThat(GraphCodec.counts(GraphCodec.value(empty))).isEqualTo(empty);
        assertThat(GraphCodec.counts("{\"calls\":2,\"errors\":0,\"duration_us_sum\":7,\"buckets\":[-3,8],\"counts\":[1,1]}"))
                .isEqualTo(new GraphCounts(2, 0, 7, DurationHistogram.of(new int[] {-3, 8}, new long[] {1, 1})));
    }

    @Test
    void malformedFieldsAreRefused() {
        for (String bad : List.of("", "checkout", "\"checkout\"", "{}", "[]", "[1]", "[null]", "[\"a\",2]", "[2,\"a\"]",
                "[\"a\",\"b\",\"c\"]", "[[\"a\"]]", "[\"a\"", "[\"a\"] x", "[\"a\"][\"b\"]")) {
            assertThatThrownBy(() -> GraphCodec.key(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void malformedValuesAreRefused() {
        String ok = "{\"calls\":1,\"errors\":0,\"duration_us_sum\":5,\"buckets\":[3],\"counts\":[1]}";
        assertThat(GraphCodec.counts(ok).calls).isEqualTo(1);
        List<String> bad = List.of("", "x", "[]", "{}", "null", ok + " x", ok.substring(0, ok.length() - 1),
                ok.replace("\"calls\":1", "\"calls\":\"1\""),
                ok.replace("\"calls\":1,", ""),
                ok.replace("\"calls\":1", "\"calls\":1.5"),
                ok.replace("\"calls\":1", "\"calls\":-1"),
                ok.replace("\"errors\":0", "\"errors\":\"x\""),
                ok.replace("\"duration_us_sum\":5", "\"duration_us_sum\":null"),
                ok.replace("[3]", "[\"x\"]"),
                ok.replace("[3]", "[3.5]"),
                ok.replace("[3]", "[9999999999]"),
                ok.replace("[3]", "[3,4]"),
                ok.replace("[3]", "3"),
                ok.replace("[1]", "[-1]"),
                ok.replace("[1]", "[\"1\"]"),
                "{\"calls\":2,\"errors\":0,\"duration_us_sum\":5,\"buckets\":[4,3],\"counts\":[1,1]}",
                "{\"calls\":2,\"errors\":0,\"duration_us_sum\":5,\"buckets\":[3,3],\"counts\":[1,1]}");
        for (String value : bad) {
            assertThatThrownBy(() -> GraphCodec.counts(value)).as(value).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
