package org.correlationstation.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.graph.ServiceGraph;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.http.HttpResponse;

/**
 * {@code GET /api/graph}: its parameters (the listing's time syntax, aliases and errors; defaults for
 * missing bounds; a bound on the range) and its answer, the {@link ServiceGraph} of the time buckets
 * whose start lies in {@code [since, until)} (docs/api.md, "Service graph").
 */
final class GraphRoute {
    /** The route's parameters, aliases included, in documentation order. */
    static final List<String> PARAMETERS = List.of("service", "since", "until", "start_time", "end_time");
    /**
     * The longest range, in buckets of {@code GRAPH_BUCKET_SECONDS} (a week of minute buckets): the
     * store reads one hash per bucket in range, and the answer must come within the query timeout.
     */
    static final long MAX_BUCKETS = 10_080;
    /** The range's length when a bound is missing: the last hour, or the hour before {@code until}. */
    static final long DEFAULT_RANGE_MILLIS = 3_600_000;
    private static final double[] QUANTILES = {0.5, 0.95, 0.99};
    private static final String[] QUANTILE_NAMES = {"p50", "p95", "p99"};
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The range and filter of one request, defaults applied. */
    record Query(long sinceMillis, long untilMillis, String service) {}

    private final long maxRangeMillis;
    private final LongSupplier clock;

    /** @param clock {@code now} for a missing {@code until} */
    GraphRoute(long bucketSeconds, LongSupplier clock) {
        this.maxRangeMillis = saturatedMultiply(saturatedMultiply(bucketSeconds, 1000), MAX_BUCKETS);
        this.clock = clock;
    }

    /**
     * Validates the parameters (400 naming the one at fault) and fills in the missing bounds: without
     * {@code until}, now — but not past the longest range after {@code since}, so that {@code since}
     * alone is never refused as too long, and not before {@code since}; without {@code since}, an hour
     * before {@code until} (not before the epoch).
     */
    Query parse(QueryParams q) {
        String service = Params.service(q.get("service"));
        String sinceName = HttpApi.aliased(q, "since", "start_time");
        String untilName = HttpApi.aliased(q, "until", "end_time");
        Long since = Params.time(sinceName, q.get(sinceName));
        Long until = Params.time(untilName, q.get(untilName));
        if (since != null && until != null) {
            if (since > until) throw ApiError.invalidArgument(sinceName + " must not be after " + untilName);
            if (until - since > maxRangeMillis) {
                throw ApiError.invalidArgument("the range from " + sinceName + " to " + untilName + " must be at most "
                        + MAX_BUCKETS + " graph buckets long (" + MAX_BUCKETS + " × GRAPH_BUCKET_SECONDS = "
                        + maxRangeMillis / 1000 + " s); narrow it");
            }
        }
        if (until == null) {
            long now = clock.getAsLong();
            until = since == null ? now : Math.max(since, Math.min(now, saturatedAdd(since, maxRangeMillis)));
        }
        if (since == null) since = Math.max(0, until - DEFAULT_RANGE_MILLIS);
        return new Query(since, until, service);
    }

    /**
     * {@code {"since","until","nodes":[…],"edges":[…]}}: nodes by service, edges by parent then child
     * (the graph's order), durations in ms rounded to microseconds (3 decimals; the histogram's own
     * error is 4.3%), null for an element without durations.
     */
    static HttpResponse render(Query q, ServiceGraph graph) {
        ObjectNode root = JSON.createObjectNode();
        root.put("since", RecordCodec.formatTime(q.sinceMillis()));
        root.put("until", RecordCodec.formatTime(q.untilMillis()));
        ArrayNode nodes = root.putArray("nodes");
        for (Map.Entry<GraphKey, GraphCounts> e : graph.nodes()) {
            ObjectNode n = nodes.addObject();
            n.put("service", e.getKey().service());
            n.put("spans", e.getValue().calls);
            n.put("error_spans", e.getValue().errors);
            durations(n, e.getValue());
        }
        ArrayNode edges = root.putArray("edges");
        for (Map.Entry<GraphKey, GraphCounts> e : graph.edges()) {
            ObjectNode n = edges.addObject();
            n.put("parent", e.getKey().parent());
            n.put("child", e.getKey().service());
            n.put("calls", e.getValue().calls);
            n.put("errors", e.getValue().errors);
            durations(n, e.getValue());
        }
        return HttpResponse.json(200, root.toString());
    }

    private static void durations(ObjectNode element, GraphCounts counts) {
        ObjectNode d = element.putObject("duration_ms");
        for (int i = 0; i < QUANTILES.length; i++) {
            double ms = counts.durations.quantile(QUANTILES[i]);
            if (Double.isNaN(ms)) d.putNull(QUANTILE_NAMES[i]);
            else d.put(QUANTILE_NAMES[i], Math.round(ms * 1000) / 1000.0);
        }
    }

    private static long saturatedMultiply(long a, long b) {
        return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    private static long saturatedAdd(long a, long b) {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
    }
}
