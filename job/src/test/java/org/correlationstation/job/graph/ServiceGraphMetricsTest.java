package org.correlationstation.job.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.testutils.MetricListener;
import org.correlationstation.core.graph.DurationHistogram;
import org.correlationstation.core.graph.GraphCounts;
import org.junit.jupiter.api.Test;

/**
 * What {@link ServiceGraphMetrics} counts, read back from Flink's metric group. The names and labels
 * Prometheus sees are checked on a real reporter by ServiceGraphReporterITCase.
 */
class ServiceGraphMetricsTest {
    private final MetricListener listener = new MetricListener();

    @Test
    void increments_add_up_per_pair() {
        ServiceGraphMetrics metrics = new ServiceGraphMetrics(listener.getMetricGroup());
        metrics.edge("frontend", "checkout", counts(50, false, 150, true, 300, false));
        metrics.edge("frontend", "checkout", counts(700, false, 20_000, true));
        metrics.edge("checkout", "payments", counts(3_000, true));

        assertThat(counter("frontend", "checkout", "request_total")).isEqualTo(5);
        assertThat(counter("frontend", "checkout", "request_failed_total")).isEqualTo(2);
        assertThat(counter("frontend", "checkout", "request_server_seconds_count")).isEqualTo(5);
        assertThat(sumSeconds("frontend", "checkout")).isEqualTo(21.2);
        assertThat(buckets("frontend", "checkout")).containsExactly(1L, 2L, 3L, 4L, 4L, 4L, 4L, 4L, 5L);

        assertThat(counter("checkout", "payments", "request_total")).isEqualTo(1);
        assertThat(counter("checkout", "payments", "request_failed_total")).isEqualTo(1);
        assertThat(sumSeconds("checkout", "payments")).isEqualTo(3.0);
        assertThat(buckets("checkout", "payments")).containsExactly(0L, 0L, 0L, 0L, 0L, 1L, 1L, 1L, 1L);
        assertThat(listener.getCounter("correlation", "service_graph", "client", "checkout", "server", "frontend", "request_total"))
                .as("the pair is directed").isEmpty();
    }

    /** Tempo's default buckets, as Prometheus writes {@code le}. */
    @Test
    void the_buckets_are_tempos_defaults() {
        assertThat(ServiceGraphMetrics.LE).containsExactly("0.1", "0.2", "0.4", "0.8", "1.6", "3.2", "6.4", "12.8", "+Inf");
        for (int i = 0; i < ServiceGraphMetrics.BOUNDS_MS.length; i++) {
            assertThat(ServiceGraphMetrics.BOUNDS_MS[i] / 1000.0).isEqualTo(Double.parseDouble(ServiceGraphMetrics.LE[i]));
        }
    }

    /**
     * A duration lands on the right side of every bound unless it is within the histogram's relative
     * error of it: the documented approximation, over durations from 1 ms to 60 s.
     */
    @Test
    void a_bucket_is_exact_but_for_durations_within_the_relative_error_of_its_bound() {
        double error = DurationHistogram.RELATIVE_ERROR;
        int pair = 0;
        ServiceGraphMetrics metrics = new ServiceGraphMetrics(listener.getMetricGroup());
        for (double ms = 1; ms < 60_000; ms *= 1.013) {
            String server = "s" + pair++;
            long nanos = (long) (ms * 1e6);
            GraphCounts span = new GraphCounts();
            span.add(nanos, false);
            metrics.edge("c", server, span);
            long[] buckets = buckets("c", server);
            for (int i = 0; i < ServiceGraphMetrics.BOUNDS_MS.length; i++) {
                long bound = ServiceGraphMetrics.BOUNDS_MS[i];
                double d = nanos / 1e6;
                if (d * (1 + error) <= bound) assertThat(buckets[i]).as("%s ms in le=%s", d, bound).isEqualTo(1);
                if (d * (1 - error) > bound) assertThat(buckets[i]).as("%s ms in le=%s", d, bound).isZero();
            }
            assertThat(buckets[ServiceGraphMetrics.BOUNDS_MS.length]).isEqualTo(1);
        }
        assertThat(pair).isGreaterThan(800);
    }

    @Test
    void pairs_beyond_the_bound_count_only_in_overflow() {
        ServiceGraphMetrics metrics = new ServiceGraphMetrics(listener.getMetricGroup(), 2);
        metrics.edge("a", "b", counts(10, false));
        metrics.edge("a", "c", counts(10, false));
        metrics.edge("a", "d", counts(10, false, 20, true));
        metrics.edge("a", "e", counts(10, false));
        metrics.edge("a", "b", counts(10, false));

        assertThat(counter("a", "b", "request_total")).as("known pairs still count").isEqualTo(2);
        assertThat(counter("a", "c", "request_total")).isEqualTo(1);
        assertThat(listener.getCounter("correlation", "service_graph", "client", "a", "server", "d", "request_total")).isEmpty();
        assertThat(listener.getCounter("correlation", "service_graph", "client", "a", "server", "e", "request_total")).isEmpty();
        assertThat(listener.getCounter("correlation", "service_graph", "overflow_requests").orElseThrow().getCount()).isEqualTo(3);
    }

    @Test
    void the_default_bound_is_ten_thousand_pairs() {
        ServiceGraphMetrics metrics = new ServiceGraphMetrics(listener.getMetricGroup());
        for (int i = 0; i <= ServiceGraphMetrics.MAX_PAIRS; i++) metrics.edge("c", "s" + i, counts(1, false));
        assertThat(listener.getCounter("correlation", "service_graph", "client", "c", "server", "s9999", "request_total")).isPresent();
        assertThat(listener.getCounter("correlation", "service_graph", "client", "c", "server", "s10000", "request_total")).isEmpty();
        assertThat(listener.getCounter("correlation", "service_graph", "overflow_requests").orElseThrow().getCount()).isEqualTo(1);
    }

    /** One increment: pairs of (duration in ms, error). */
    private static GraphCounts counts(Object... durationsAndErrors) {
        GraphCounts counts = new GraphCounts();
        for (int i = 0; i < durationsAndErrors.length; i += 2) {
            counts.add(((Number) durationsAndErrors[i]).longValue() * 1_000_000, (Boolean) durationsAndErrors[i + 1]);
        }
        return counts;
    }

    private long counter(String client, String server, String name) {
        return listener.getCounter("correlation", "service_graph", "client", client, "server", server, name)
                .map(Counter::getCount).orElseThrow(() -> new AssertionError(client + "→" + server + " has no " + name));
    }

    private double sumSeconds(String client, String server) {
        return listener.<Double>getGauge("correlation", "service_graph", "client", client, "server", server,
                "request_server_seconds_sum").orElseThrow().getValue();
    }

    private long[] buckets(String client, String server) {
        List<Long> values = new ArrayList<>();
        for (String le : ServiceGraphMetrics.LE) {
            values.add(listener.getCounter("correlation", "service_graph", "client", client, "server", server, "le", le,
                    "request_server_seconds_bucket").orElseThrow().getCount());
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }
}
