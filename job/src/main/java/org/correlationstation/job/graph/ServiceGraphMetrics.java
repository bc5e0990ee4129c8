package org.correlationstation.job.graph;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.correlationstation.core.graph.DurationHistogram;
import org.correlationstation.core.graph.GraphCounts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service graph as Flink metrics, shaped so that Prometheus gets Tempo's service-graph series
 * ({@code traces_service_graph_request_total}, {@code _request_failed_total} and the histogram
 * {@code _request_server_seconds}, with Tempo's default buckets) once the recording rules in
 * {@code observability/prometheus/rules/service-graph.rules.yml} rename what Flink's Prometheus reporter
 * exports. Grafana's Tempo service map and our dashboard read those names unchanged. Names, labels and
 * limits: docs/metrics.md.
 *
 * <p>Per client/server pair, in the group {@code correlation.service_graph.client.<c>.server.<s>}:
 * {@code request_total}, {@code request_failed_total}, {@code request_server_seconds_sum} (seconds),
 * {@code request_server_seconds_count}, and per bucket {@code le.<bound>.request_server_seconds_bucket}.
 * Key/value groups are what the reporter turns into labels ({@code client}, {@code server}, {@code le}).
 *
 * <p>Buckets are cumulative and read from the increment's {@link DurationHistogram}, whose buckets do
 * not line up with Tempo's: a duration within the histogram's relative error (4.3%) of a bound may be
 * counted on either side of it ({@link DurationHistogram#countAtMost}).
 *
 * <p>At most {@link #MAX_PAIRS} pairs per instance (one per subtask): Flink cannot unregister a metric
 * while its operator runs, so every pair costs its 13 series until the job stops. Calls of further
 * pairs are counted in {@code correlation.service_graph.overflow_requests} and logged once.
 * Not thread-safe: the operator calls it from its task thread. The reporter reads the values from its
 * own thread without a lock, as it reads Flink's {@code SimpleCounter}s: a scrape may show a value one
 * increment behind.
 */
public final class ServiceGraphMetrics {
    static final String GROUP = "service_graph";
    public static final int MAX_PAIRS = 10_000;
    /** Tempo's default {@code histogram_buckets} for service graphs, in milliseconds. */
    static final long[] BOUNDS_MS = {100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800};
    /** The same bounds as Prometheus writes {@code le} (Go's shortest float format), then {@code +Inf}. */
    static final String[] LE = {"0.1", "0.2", "0.4", "0.8", "1.6", "3.2", "6.4", "12.8", "+Inf"};

    private static final Logger LOG = LoggerFactory.getLogger(ServiceGraphMetrics.class);

    private final MetricGroup group;
    private final int maxPairs;
    private final Map<Pair, Edge> edges = new HashMap<>();
    private final Counter overflowRequests;
    private boolean overflowLogged;

    public ServiceGraphMetrics(MetricGroup operatorGroup) {
        this(operatorGroup, MAX_PAIRS);
    }

    ServiceGraphMetrics(MetricGroup operatorGroup, int maxPairs) {
        group = operatorGroup.addGroup("correlation").addGroup(GROUP);
        this.maxPairs = maxPairs;
        overflowRequests = group.counter("overflow_requests");
    }

    /** Adds one increment of the edge {@code client → server} (the parent's and the child's service). */
    public void edge(String client, String server, GraphCounts delta) {
        Pair pair = new Pair(Objects.requireNonNull(client, "client"), Objects.requireNonNull(server, "server"));
        Edge edge = edges.get(pair);
        if (edge == null) {
            if (edges.size() >= maxPairs) {
                overflow(pair, delta);
                return;
            }
            edge = new Edge(group.addGroup("client", client).addGroup("server", server));
            edges.put(pair, edge);
        }
        edge.add(delta);
    }

    private void overflow(Pair pair, GraphCounts delta) {
        overflowRequests.inc(delta.calls);
        if (!overflowLogged) {
            overflowLogged = true;
            LOG.warn("Service graph: more than {} client/server pairs on this subtask; {} → {} and every further "
                    + "new pair is counted only in overflow_requests (docs/metrics.md)", maxPairs, pair.client, pair.server);
        }
    }

    private record Pair(String client, String server) {}

    /** One pair's metrics. */
    private static final class Edge {
        final Counter requests;
        final Counter failed;
        final Counter count;
        final Counter[] buckets = new Counter[LE.length];
        /** Microseconds, exact; the reporter reads seconds through the gauge. */
        long durationMicros;

        Edge(MetricGroup pairGroup) {
            requests = pairGroup.counter("request_total");
            failed = pairGroup.counter("request_failed_total");
            count = pairGroup.counter("request_server_seconds_count");
            pairGroup.gauge("request_server_seconds_sum", (Gauge<Double>) () -> durationMicros / 1e6);
            for (int i = 0; i < LE.length; i++) {
                buckets[i] = pairGroup.addGroup("le", LE[i]).counter("request_server_seconds_bucket");
            }
        }

        void add(GraphCounts delta) {
            requests.inc(delta.calls);
            failed.inc(delta.errors);
            durationMicros += delta.durationMicrosSum;
            // _count and +Inf are what the histogram holds, so every bucket stays at or below them.
            long observed = delta.durations.count();
            count.inc(observed);
            for (int i = 0; i < BOUNDS_MS.length; i++) buckets[i].inc(delta.durations.countAtMost(BOUNDS_MS[i]));
            buckets[BOUNDS_MS.length].inc(observed);
        }
    }
}
