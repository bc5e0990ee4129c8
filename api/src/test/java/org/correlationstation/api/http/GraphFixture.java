package org.correlationstation.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.correlationstation.core.graph.DurationHistogram;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;

/**
 * Spans of a small shop, bucket by bucket, turned into what the job stores per bucket (node and edge
 * counts, as it computes them) and into what {@code GET /api/graph} must answer for some of the
 * buckets: counts summed, and percentiles computed from the spans' own durations (nearest rank), which
 * the answer must match within the histogram's relative error.
 */
final class GraphFixture {
    /** A service whose name needs escaping everywhere (JSON field, JSON answer). */
    static final String ODD = "ünïcödé \"billing\", v2";
    /** {parent or null, child}: a root, calls between services, a self-call, and the odd name. */
    private static final String[][] CALLS = {{null, "frontend"}, {"frontend", "checkout"}, {"checkout", "payments"},
            {"checkout", "inventory"}, {"payments", "payments"}, {"checkout", ODD}};

    record Span(String parent, String service, long durationNanos, boolean error) {}

    /** What the answer must say of one node or edge. */
    record Expected(long calls, long errors, double[] durationsMs) {}

    private GraphFixture() {}

    /** {@code n} spans: durations log-uniform from 20 µs to 5 s (some of 0), about one in eight an error. */
    static List<Span> spans(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Span> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String[] call = CALLS[random.nextInt(CALLS.length)];
            long nanos = i % 97 == 0 ? 0 : (long) Math.exp(random.nextDouble(Math.log(20_000), Math.log(5e9)));
            out.add(new Span(call[0], call[1], nanos, random.nextInt(8) == 0));
        }
        return out;
    }

    /** What the job stores for a bucket of these spans: per service its spans, per parent→child pair its calls. */
    static Map<GraphKey, GraphCounts> bucket(List<Span> spans) {
        Map<GraphKey, GraphCounts> out = new TreeMap<>();
        for (Span s : spans) {
            out.computeIfAbsent(GraphKey.node(s.service), k -> new GraphCounts()).add(s.durationNanos, s.error);
            if (s.parent != null) {
                out.computeIfAbsent(GraphKey.edge(s.parent, s.service), k -> new GraphCounts()).add(s.durationNanos, s.error);
            }
        }
        return out;
    }

    /** The answer for these spans (those of every bucket in range), filtered like the route filters. */
    static Map<GraphKey, Expected> expected(List<Span> spans, String service) {
        Map<GraphKey, List<Span>> groups = new TreeMap<>();
        for (Span s : spans) {
            groups.computeIfAbsent(GraphKey.node(s.service), k -> new ArrayList<>()).add(s);
            if (s.parent != null) groups.computeIfAbsent(GraphKey.edge(s.parent, s.service), k -> new ArrayList<>()).add(s);
        }
        Map<GraphKey, Expected> out = new TreeMap<>();
        for (Map.Entry<GraphKey, List<Span>> g : groups.entrySet()) {
            GraphKey k = g.getKey();
            if (service != null && !service.equals(k.service()) && !service.equals(k.parent())) continue;
            double[] ms = g.getValue().stream().mapToDouble(s -> s.durationNanos / 1e6).sorted().toArray();
            long errors = g.getValue().stream().filter(Span::error).count();
            out.put(k, new Expected(ms.length, errors, ms));
        }
        return out;
    }

    /** The body is exactly these nodes and edges, in order, with their counts and percentiles. */
    static void assertGraph(JsonNode body, Map<GraphKey, Expected> want) {
        List<GraphKey> nodes = new ArrayList<>();
        for (JsonNode n : body.get("nodes")) {
            GraphKey k = GraphKey.node(n.get("service").asText());
            nodes.add(k);
            Expected e = want.get(k);
            assertThat(e).as("unexpected node %s", k).isNotNull();
            assertThat(n.get("spans").asLong()).as("%s spans", k).isEqualTo(e.calls);
            assertThat(n.get("error_spans").asLong()).as("%s error_spans", k).isEqualTo(e.errors);
            assertPercentiles(k, n.get("duration_ms"), e.durationsMs);
        }
        List<GraphKey> edges = new ArrayList<>();
        for (JsonNode n : body.get("edges")) {
            GraphKey k = GraphKey.edge(n.get("parent").asText(), n.get("child").asText());
            edges.add(k);
            Expected e = want.get(k);
            assertThat(e).as("unexpected edge %s", k).isNotNull();
            assertThat(n.get("calls").asLong()).as("%s calls", k).isEqualTo(e.calls);
            assertThat(n.get("errors").asLong()).as("%s errors", k).isEqualTo(e.errors);
            assertPercentiles(k, n.get("duration_ms"), e.durationsMs);
        }
        // Sorted: nodes by service, edges by parent then child (the want map's order).
        assertThat(nodes).containsExactlyElementsOf(want.keySet().stream().filter(k -> !k.isEdge()).toList());
        assertThat(edges).containsExactlyElementsOf(want.keySet().stream().filter(GraphKey::isEdge).toList());
    }

    /**
     * Each percentile within the histogram's relative error of the nearest-rank percentile of the
     * spans' durations, plus half a microsecond for the answer's rounding to 3 decimals.
     */
    private static void assertPercentiles(GraphKey k, JsonNode d, double[] sortedMs) {
        assertThat(d.size()).isEqualTo(3);
        double[] qs = {0.5, 0.95, 0.99};
        String[] names = {"p50", "p95", "p99"};
        for (int i = 0; i < qs.length; i++) {
            double truth = sortedMs[(int) Math.ceil(qs[i] * sortedMs.length) - 1];
            double got = d.get(names[i]).asDouble();
            assertThat(d.get(names[i]).isNumber()).isTrue();
            assertThat(Math.abs(got - truth)).as("%s %s: %s ms, true %s ms (of %s)", k, names[i], got, truth,
                    Arrays.toString(sortedMs).length() > 200 ? sortedMs.length + " durations" : Arrays.toString(sortedMs))
                    .isLessThanOrEqualTo(DurationHistogram.RELATIVE_ERROR * truth * (1 + 1e-9) + 0.0005);
        }
    }
}
