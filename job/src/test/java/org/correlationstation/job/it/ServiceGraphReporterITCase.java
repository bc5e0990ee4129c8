package org.correlationstation.job.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.testing.FreePorts;
import org.correlationstation.job.graph.ServiceGraphMetrics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What Flink's Prometheus reporter really exports for {@link ServiceGraphMetrics}: a job on a MiniCluster
 * with the reporter configured as our deployments configure it, scraped over HTTP. The names must be the
 * ones docs/metrics.md lists and that the recording rules' promtool tests feed in
 * (observability/prometheus/tests/service-graph.test.yml), so a change in Flink's naming fails here and
 * not silently in Grafana. Run with the reporter's label filter off (our deployments: service names and
 * {@code le} verbatim) and on (Flink's default: both mangled, which the rules repair for {@code le}).
 */
class ServiceGraphReporterITCase {
    private static final int PARALLELISM = 2;
    /** The reporter's labels that Prometheus adds to, never the job: {@code job} and {@code instance}. */
    private static final Set<String> SCRAPE_LABELS = Set.of("job", "instance");

    // The operator's subtasks and the test meet here: the subtasks run in this JVM (a MiniCluster).
    static volatile CountDownLatch closing;
    static volatile CountDownLatch scraped;

    @ParameterizedTest(name = "filterLabelValueCharacters={0}")
    @ValueSource(booleans = {false, true})
    void the_reporter_exports_the_documented_names_with_client_server_and_le_labels(boolean filter) throws Exception {
        closing = new CountDownLatch(PARALLELISM);
        scraped = new CountDownLatch(1);
        int port = FreePorts.one();
        Configuration conf = new Configuration();
        conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", String.valueOf(port));
        conf.setString("metrics.reporter.prom.filterLabelValueCharacters", String.valueOf(filter));
        String text;
        try (MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(PARALLELISM).build())) {
            cluster.start();
            TestStreamEnvironment.setAsContext(cluster, PARALLELISM);
            try {
                JobClient job = startJob();
                assertThat(closing.await(2, TimeUnit.MINUTES)).as("both subtasks processed their edges").isTrue();
                text = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                scraped.countDown();
                job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
            } finally {
                scraped.countDown();
                TestStreamEnvironment.unsetAsContext();
            }
        }
        List<PrometheusText.Sample> graph = PrometheusText.parse(text).stream()
                .filter(s -> s.name().contains("_service_graph_")).toList();

        Set<String> names = new TreeSet<>();
        graph.forEach(s -> names.add(s.name()));
        assertThat(names).containsExactlyInAnyOrderElementsOf(DocumentedMetrics.serviceGraph());

        String checkout = filter ? "checkout_svc" : "checkout-svc";
        String payments = filter ? "payments_v2" : "payments.v2";
        List<String> le = filter
                ? List.of("0_1", "0_2", "0_4", "0_8", "1_6", "3_2", "6_4", "12_8", "_Inf")
                : List.of("0.1", "0.2", "0.4", "0.8", "1.6", "3.2", "6.4", "12.8", "+Inf");
        String prefix = "flink_taskmanager_job_task_operator_correlation_service_graph_client_server_";
        assertThat(sum(graph, prefix + "request_total", "frontend", checkout, null)).isEqualTo(5);
        assertThat(sum(graph, prefix + "request_failed_total", "frontend", checkout, null)).isEqualTo(2);
        // Each subtask's sum is exact; adding the two in floating point may not be.
        assertThat(sum(graph, prefix + "request_server_seconds_sum", "frontend", checkout, null)).isCloseTo(21.2, within(1e-9));
        assertThat(sum(graph, prefix + "request_server_seconds_count", "frontend", checkout, null)).isEqualTo(5);
        assertThat(sum(graph, prefix + "request_total", checkout, payments, null)).isEqualTo(3);
        assertThat(sum(graph, prefix + "request_failed_total", checkout, payments, null)).isEqualTo(1);
        assertThat(sum(graph, prefix + "request_server_seconds_sum", checkout, payments, null)).isCloseTo(15.0, within(1e-9));
        double[] frontend = {1, 2, 3, 4, 4, 4, 4, 4, 5};
        double[] checkoutBuckets = {0, 0, 0, 0, 0, 2, 2, 3, 3};
        for (int i = 0; i < le.size(); i++) {
            String bucket = prefix + "le_request_server_seconds_bucket";
            assertThat(sum(graph, bucket, "frontend", checkout, le.get(i))).as("le=%s", le.get(i)).isEqualTo(frontend[i]);
            assertThat(sum(graph, bucket, checkout, payments, le.get(i))).as("le=%s", le.get(i)).isEqualTo(checkoutBuckets[i]);
        }

        for (PrometheusText.Sample s : graph) {
            assertThat(s.labels()).as(s.name()).containsKeys("job_name", "subtask_index", "task_attempt_id");
            if (s.name().endsWith("_overflow_requests")) continue;
            assertThat(s.labels()).as(s.name()).containsKeys("client", "server");
            assertThat(s.labels().containsKey("le")).as(s.name()).isEqualTo(s.name().endsWith("_bucket"));
        }
        assertThat(graph).filteredOn(s -> s.name().endsWith("_overflow_requests")).hasSize(PARALLELISM);
        theRulesTestsFeedInWhatTheReporterExports(graph);
    }

    /** Every input series of the recording rules' promtool tests: a name and label names seen here. */
    private static void theRulesTestsFeedInWhatTheReporterExports(List<PrometheusText.Sample> scraped) throws Exception {
        Map<String, Set<String>> exported = new TreeMap<>();
        scraped.forEach(s -> exported.computeIfAbsent(s.name(), k -> new TreeSet<>()).addAll(s.labels().keySet()));
        JsonNode tests = new ObjectMapper(new YAMLFactory()).readTree(rulesTests().toFile());
        int checked = 0;
        for (JsonNode test : tests.path("tests")) {
            for (JsonNode input : test.path("input_series")) {
                PrometheusText.Sample series = PrometheusText.parse(input.path("series").asText() + " 0").get(0);
                assertThat(exported).as("input series %s", series.name()).containsKey(series.name());
                Set<String> labels = new TreeSet<>(series.labels().keySet());
                labels.removeAll(SCRAPE_LABELS);
                assertThat(exported.get(series.name())).as("labels of input series %s", series.name()).containsAll(labels);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(10);
    }

    private static double sum(List<PrometheusText.Sample> samples, String name, String client, String server, String le) {
        return samples.stream()
                .filter(s -> s.name().equals(name) && client.equals(s.labels().get("client"))
                        && server.equals(s.labels().get("server")) && (le == null || le.equals(s.labels().get("le"))))
                .mapToDouble(PrometheusText.Sample::value)
                .sum();
    }

    private static Path rulesTests() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("observability/prometheus/tests"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("observability/ not found above " + Path.of("").toAbsolutePath());
        return dir.resolve("observability/prometheus/tests/service-graph.test.yml");
    }

    /**
     * Each edge goes to either subtask (rebalance), so a pair's figures are spread over both and sum up
     * to: frontend → checkout-svc 5 calls, 2 errors, 21.2 s; checkout-svc → payments.v2 3 calls, 1 error,
     * 15 s. Durations are far (≥ 6%) from every bucket bound, so each bucket count is exact.
     */
    private static JobClient startJob() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromData(List.of(
                        "frontend|checkout-svc|50|false", "frontend|checkout-svc|150|true", "frontend|checkout-svc|300|false",
                        "frontend|checkout-svc|700|false", "frontend|checkout-svc|20000|true",
                        "checkout-svc|payments.v2|3000|false", "checkout-svc|payments.v2|3000|false",
                        "checkout-svc|payments.v2|9000|true"))
                .setParallelism(1)
                .rebalance()
                .map(new Edges())
                .setParallelism(PARALLELISM)
                .sinkTo(new DiscardingSink<>());
        return env.executeAsync("service-graph-reporter");
    }

    /** A stand-in for the graph aggregator: one {@link ServiceGraphMetrics} per subtask, fed each edge. */
    static final class Edges extends RichMapFunction<String, String> {
        private transient ServiceGraphMetrics metrics;

        @Override
        public void open(OpenContext context) {
            metrics = new ServiceGraphMetrics(getRuntimeContext().getMetricGroup());
        }

        @Override
        public String map(String edge) {
            String[] f = edge.split("\\|");
            GraphCounts delta = new GraphCounts();
            delta.add(Long.parseLong(f[2]) * 1_000_000, Boolean.parseBoolean(f[3]));
            metrics.edge(f[0], f[1], delta);
            return edge;
        }

        /** The task unregisters its metrics once the operator closes: holding close() keeps them for the scrape. */
        @Override
        public void close() throws Exception {
            closing.countDown();
            scraped.await(2, TimeUnit.MINUTES);
        }
    }
}
