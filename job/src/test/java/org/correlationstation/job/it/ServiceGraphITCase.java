package org.correlationstation.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.graph.DurationHistogram;
import org.correlationstation.core.graph.GraphCodec;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.redis.RedisKeys;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.TraceGenerator;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.correlationstation.core.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service graph in Redis against a brute-force count over everything sent: per time bucket (the
 * child span's end time) and element, the exact calls and errors, and percentiles within the histogram's
 * stated error. The run has all the things that make such counts go wrong elsewhere: children that
 * arrive before their parents, every tenth span sent twice, a stop with a savepoint and a restore at
 * another parallelism (rescale) half way, and late spans for traces that already closed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceGraphITCase {
    private static final long BUCKET_MS = 60_000;
    private static final Duration DEADLINE = Duration.ofMinutes(3);

    private EmbeddedKafka kafka;
    private RedisServer redisServer;
    private PipelineCluster cluster;
    @TempDir Path tmp;

    @BeforeAll
    void start() throws Exception {
        redisServer = RedisServer.launch();
        kafka = EmbeddedKafka.start();
        cluster = new PipelineCluster();
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) cluster.close();
        if (kafka != null) kafka.close();
        if (redisServer != null) redisServer.close();
    }

    @Test
    void theGraphIsExactThroughDuplicatesARescaledRestoreAndLateSpans() throws Exception {
        // 900 traces 200 ms apart: three minutes of event time, so four buckets
        List<GeneratedTrace> traces = new TraceGenerator(24).traceSpacingMillis(200).generate(900);
        List<GeneratedTrace> first = traces.subList(0, traces.size() / 2);
        List<GeneratedTrace> second = traces.subList(traces.size() / 2, traces.size());
        Map<String, String> env = PipelineSettings.env(kafka, redisServer.uri(), tmp, "graph");
        env.put("PARALLELISM", "2");
        Settings atTwo = Settings.from(env, new String[0]);
        env.put("PARALLELISM", "1");
        Settings atOne = Settings.from(env, new String[0]);
        List<SpanEvent> sent = new ArrayList<>();
        Random random = new Random(24);

        JobID job = cluster.start(atTwo, new Configuration(), null);
        try (StoredRecords stored = new StoredRecords(redisServer.uri())) {
            TelemetryProducer producer = new TelemetryProducer(kafka, 24);
            List<SpanEvent> firstSpans = withDuplicates(GeneratedTrace.allSpans(first), random);
            producer.spans("graph-spans", firstSpans);
            sent.addAll(firstSpans);
            stored.awaitSpans(first, cluster, job, DEADLINE);

            String savepoint = cluster.stopWithSavepoint(job, tmp.resolve("savepoints").toUri().toString());
            assertThat(cluster.status(job)).isEqualTo(JobStatus.FINISHED);
            job = cluster.start(atOne, new Configuration(), savepoint);

            List<SpanEvent> secondSpans = withDuplicates(GeneratedTrace.allSpans(second), random);
            producer.spans("graph-spans", secondSpans);
            sent.addAll(secondSpans);
            sent.add(TelemetryProducer.pusherSpan(0, "ffffffffffffffff")); // stands for the pusher's span below
            producer.pushWatermarkPast("graph", traces);
            stored.await(traces, r -> CorrelationRecord.CLOSED.equals(r.status), "every trace closed", cluster, job, DEADLINE);

            // Late: a new child of another service under a span of 60 closed traces, ending in the trace's own time
            List<SpanEvent> late = lateChildren(traces.subList(0, 60), random);
            producer.spans("graph-spans", late);
            sent.addAll(late);

            Map<Long, Map<GraphKey, GraphCounts>> expected = bruteForce(sent, traces);
            assertThat(expected).as("buckets").hasSizeGreaterThanOrEqualTo(4);
            assertThat(expected.values().stream().mapToLong(b -> b.keySet().stream().filter(GraphKey::isEdge).count()).sum())
                    .as("edges over all buckets").isGreaterThan(20);
            Map<Long, Map<GraphKey, GraphCounts>> actual = awaitGraph(stored, expected, job);
            assertThat(actual.keySet()).isEqualTo(expected.keySet());
            for (long bucket : expected.keySet()) {
                Map<GraphKey, GraphCounts> e = expected.get(bucket);
                Map<GraphKey, GraphCounts> a = actual.get(bucket);
                assertThat(a.keySet()).as("elements of bucket %d", bucket).isEqualTo(e.keySet());
                for (GraphKey key : e.keySet()) {
                    assertThat(a.get(key).calls).as("calls of %s in %d", key, bucket).isEqualTo(e.get(key).calls);
                    assertThat(a.get(key).errors).as("errors of %s in %d", key, bucket).isEqualTo(e.get(key).errors);
                    assertThat(a.get(key).durations).as("durations of %s in %d", key, bucket).isEqualTo(e.get(key).durations);
                }
            }
            assertPercentilesWithinTheStatedError(sent, traces, actual);
            assertEveryEdgeIsAPrometheusSeries(expected);
        } finally {
            cluster.cancel(job);
        }
    }

    /** The spans, with every tenth one sent a second time a little later. */
    private static List<SpanEvent> withDuplicates(List<SpanEvent> spans, Random random) {
        List<SpanEvent> out = new ArrayList<>(spans);
        for (int i = 0; i < spans.size(); i += 10) out.add(Math.min(out.size(), i + 1 + random.nextInt(20)), spans.get(i));
        return out;
    }

    private static List<SpanEvent> lateChildren(List<GeneratedTrace> traces, Random random) {
        List<SpanEvent> late = new ArrayList<>();
        for (GeneratedTrace t : traces) {
            SpanEvent parent = t.spans().get(random.nextInt(t.spans().size()));
            SpanEvent child = new SpanEvent();
            child.traceId = t.traceId();
            child.spanId = String.format("%016x", random.nextLong() | 1L);
            child.parentSpanId = parent.spanId;
            child.name = "late";
            child.service = parent.service.equals("late-service") ? "other" : "late-service";
            child.env = parent.env;
            child.startTimeNanos = parent.startTimeNanos;
            child.endTimeNanos = parent.startTimeNanos + (1 + random.nextInt(50)) * 1_000_000L;
            child.error = random.nextBoolean();
            late.add(child);
        }
        return late;
    }

    /**
     * The graph from what was sent: each span once per trace (the first copy), to its service's node in
     * the bucket of its end; each child whose parent is in its trace and of another service, to that edge.
     */
    private static Map<Long, Map<GraphKey, GraphCounts>> bruteForce(List<SpanEvent> sent, List<GeneratedTrace> traces) {
        Map<String, Map<String, SpanEvent>> byTrace = new LinkedHashMap<>();
        for (SpanEvent s : pusherCorrected(sent, traces)) byTrace.computeIfAbsent(s.traceId, t -> new LinkedHashMap<>()).putIfAbsent(s.spanId, s);
        Map<Long, Map<GraphKey, GraphCounts>> graph = new TreeMap<>();
        for (Map<String, SpanEvent> spans : byTrace.values()) {
            for (SpanEvent s : spans.values()) {
                add(graph, s, GraphKey.node(s.service));
                SpanEvent parent = s.parentSpanId == null ? null : spans.get(s.parentSpanId);
                if (parent != null && !parent.service.equals(s.service)) add(graph, s, GraphKey.edge(parent.service, s.service));
            }
        }
        return graph;
    }

    /** The pusher's span as the producer sent it (30 min after the last trace). */
    private static List<SpanEvent> pusherCorrected(List<SpanEvent> sent, List<GeneratedTrace> traces) {
        long last = traces.stream().flatMap(t -> t.spans().stream()).mapToLong(SpanEvent::endMillis).max().orElseThrow();
        List<SpanEvent> out = new ArrayList<>(sent.size());
        for (SpanEvent s : sent) {
            out.add(TelemetryProducer.PUSHER_TRACE.equals(s.traceId)
                    ? TelemetryProducer.pusherSpan(last + Duration.ofMinutes(30).toMillis(), s.spanId) : s);
        }
        return out;
    }

    private static void add(Map<Long, Map<GraphKey, GraphCounts>> graph, SpanEvent s, GraphKey key) {
        long end = Math.floorDiv(s.endTimeNanos, 1_000_000L);
        graph.computeIfAbsent(end - Math.floorMod(end, BUCKET_MS), b -> new HashMap<>())
                .computeIfAbsent(key, k -> new GraphCounts()).add(s.endTimeNanos - s.startTimeNanos, s.error);
    }

    /** Polls Redis until it holds the expected graph (or the deadline passes); returns what it holds. */
    private Map<Long, Map<GraphKey, GraphCounts>> awaitGraph(StoredRecords stored,
            Map<Long, Map<GraphKey, GraphCounts>> expected, JobID job) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Map<Long, Map<GraphKey, GraphCounts>> actual = Map.of();
        while (System.nanoTime() < deadline) {
            actual = read(stored);
            if (actual.equals(expected)) return actual;
            cluster.requireRunning(job);
            TimeUnit.MILLISECONDS.sleep(200);
        }
        return actual; // the caller's assertions say what differs
    }

    private static Map<Long, Map<GraphKey, GraphCounts>> read(StoredRecords stored) {
        Map<Long, Map<GraphKey, GraphCounts>> graph = new TreeMap<>();
        for (String member : stored.redis.zrange(RedisKeys.GRAPH_BUCKETS, 0, -1)) {
            long bucket = Long.parseLong(member);
            Map<String, String> fields = stored.redis.hgetall(RedisKeys.graphBucket(bucket));
            Map<GraphKey, GraphCounts> elements = new HashMap<>();
            fields.forEach((field, value) -> elements.put(GraphCodec.key(field), GraphCodec.counts(value)));
            if (!elements.isEmpty()) graph.put(bucket, elements);
        }
        return graph;
    }

    /**
     * The restored job's reporter has a request counter for every pair (the first job's went with it:
     * Prometheus counters restart with the job, so only their presence and the running job's part are
     * checked here; ServiceGraphReporterITCase checks the names and values).
     */
    private void assertEveryEdgeIsAPrometheusSeries(Map<Long, Map<GraphKey, GraphCounts>> expected) throws Exception {
        String scraped = cluster.scrapeMetrics();
        String name = "flink_taskmanager_job_task_operator_correlation_service_graph_client_server_request_total";
        assertThat(DocumentedMetrics.serviceGraph()).contains(name);
        for (Map<GraphKey, GraphCounts> bucket : expected.values()) {
            for (GraphKey key : bucket.keySet()) {
                if (!key.isEdge()) continue;
                String client = "client=\"" + key.parent() + "\"";
                String server = "server=\"" + key.service() + "\"";
                assertThat(scraped.lines().filter(l -> l.startsWith(name + "{") && l.contains(client) && l.contains(server)))
                        .as("requests %s → %s in Prometheus", key.parent(), key.service()).isNotEmpty();
            }
        }
    }

    /** p50, p95 and p99 per element over all buckets, from the stored histograms, against the true ones. */
    private static void assertPercentilesWithinTheStatedError(List<SpanEvent> sent, List<GeneratedTrace> traces,
            Map<Long, Map<GraphKey, GraphCounts>> actual) {
        Map<GraphKey, List<Double>> durations = new HashMap<>();
        Map<String, Map<String, SpanEvent>> byTrace = new LinkedHashMap<>();
        for (SpanEvent s : pusherCorrected(sent, traces)) byTrace.computeIfAbsent(s.traceId, t -> new LinkedHashMap<>()).putIfAbsent(s.spanId, s);
        for (Map<String, SpanEvent> spans : byTrace.values()) {
            for (SpanEvent s : spans.values()) {
                double ms = (s.endTimeNanos - s.startTimeNanos) / 1e6;
                durations.computeIfAbsent(GraphKey.node(s.service), k -> new ArrayList<>()).add(ms);
                SpanEvent parent = s.parentSpanId == null ? null : spans.get(s.parentSpanId);
                if (parent != null && !parent.service.equals(s.service)) {
                    durations.computeIfAbsent(GraphKey.edge(parent.service, s.service), k -> new ArrayList<>()).add(ms);
                }
            }
        }
        Map<GraphKey, DurationHistogram> merged = new HashMap<>();
        actual.values().forEach(b -> b.forEach((k, c) -> merged.computeIfAbsent(k, x -> new DurationHistogram()).merge(c.durations)));
        assertThat(merged.keySet()).isEqualTo(durations.keySet());
        for (Map.Entry<GraphKey, List<Double>> e : durations.entrySet()) {
            List<Double> sorted = new ArrayList<>(e.getValue());
            sorted.sort(null);
            for (double q : new double[] {0.5, 0.95, 0.99}) {
                double truth = sorted.get((int) Math.ceil(q * sorted.size()) - 1);
                assertThat(merged.get(e.getKey()).quantile(q)).as("p%s of %s", q * 100, e.getKey())
                        .isCloseTo(truth, org.assertj.core.data.Offset.offset(truth * DurationHistogram.RELATIVE_ERROR + 1e-9));
            }
        }
    }
}
