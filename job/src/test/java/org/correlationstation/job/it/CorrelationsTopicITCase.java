package org.correlationstation.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.TraceGenerator;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.correlationstation.job.OperatorIds;
import org.correlationstation.job.topics.TopicSinks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exactly-once correlations topic (KAFKA_CORRELATIONS_TOPIC) across a stop-with-savepoint and
 * resume, read as a {@code read_committed} consumer does: one latest record per trace, exact, and no
 * emission written twice (each trace's versions strictly increase in offset order).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorrelationsTopicITCase {
    private static final int TRACES = 500;
    private static final long SLACK_MS = 1000;
    private static final String PUSHER_TRACE = "ffffffffffffffffffffffffffffffff";
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final String TOPIC = "eos-correlations";

    private EmbeddedKafka kafka;
    private PipelineCluster cluster;
    @TempDir Path tmp;

    @BeforeAll
    void start() throws Exception {
        kafka = EmbeddedKafka.start();
        cluster = new PipelineCluster();
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) cluster.close();
        if (kafka != null) kafka.close();
    }

    @Test
    void oneLatestExactRecordPerTraceAfterStopWithSavepointAndResume() throws Exception {
        Map<String, String> env = env("eos", TOPIC);
        Settings settings = Settings.from(env, new String[0]);
        assertThat(TopicSinks.transactionalIdPrefix(settings, "x")).isEqualTo("eos-x");

        List<GeneratedTrace> traces = new TraceGenerator(8).traceSpacingMillis(10).generate(TRACES);
        List<LogEvent> logs = GeneratedTrace.allLogsWithUntraced(traces);
        Map<String, Integer> spanCounts = new HashMap<>();
        for (GeneratedTrace t : traces) spanCounts.put(t.traceId(), t.spans().size());
        TelemetryProducer producer = new TelemetryProducer(kafka, 88);

        JobID job = cluster.start(settings, new Configuration(), null);
        try {
            producer.spans("eos-spans", GeneratedTrace.allSpans(traces));
            awaitLatest(job, traces.size(), r -> spanCounts.containsKey(r.traceId) && r.spanCount == spanCounts.get(r.traceId),
                    "every trace's spans in the topic");
            producer.logsAsJson("eos-logs", logs.subList(0, logs.size() / 2));

            String savepoint = cluster.stopWithSavepoint(job, tmp.resolve("savepoints").toUri().toString());
            assertThat(cluster.status(job)).isEqualTo(JobStatus.FINISHED);
            job = cluster.start(settings, new Configuration(), savepoint);

            producer.logsAsJson("eos-logs", logs.subList(logs.size() / 2, logs.size()));
            pushWatermarkPastEveryTrace(producer, traces);

            Map<String, String> expected = new HashMap<>();
            for (GeneratedTrace t : traces) {
                expected.put(t.traceId(), RecordCodec.toJson(ExpectedRecord.of(t.traceId(), t.spans(), t.logs(), SLACK_MS)));
            }
            Map<String, CorrelationRecord> latest = awaitLatest(job, traces.size(),
                    r -> ExpectedRecord.comparable(r).equals(expected.get(r.traceId)), "every record closed and exact");
            assertThat(latest.keySet()).containsAll(expected.keySet());
            for (GeneratedTrace t : traces) {
                assertThat(ExpectedRecord.comparable(latest.get(t.traceId()))).as("latest record of " + t.traceId())
                        .isEqualTo(expected.get(t.traceId()));
            }
        } finally {
            cluster.cancel(job);
        }

        // Every committed emission once: per trace, versions strictly increase in offset order.
        Map<String, List<Long>> versions = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readCommitted()) {
            CorrelationRecord record = RecordCodec.fromJson(new String(r.value(), StandardCharsets.UTF_8));
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(record.traceId);
            versions.computeIfAbsent(record.traceId, k -> new ArrayList<>()).add(record.version);
        }
        assertThat(versions).hasSize(traces.size() + 1); // + the pusher's trace
        versions.forEach((trace, v) -> assertThat(v).as("versions of " + trace + " in offset order")
                .isSortedAccordingTo(Long::compare).doesNotHaveDuplicates());
    }

    @Test
    void aRestoreWithTheTopicSwitchedOffDropsOnlyThatSinksState() throws Exception {
        Map<String, String> env = env("eos-off", "eos-off-correlations");
        List<GeneratedTrace> traces = new TraceGenerator(9).traceSpacingMillis(10).generate(50);
        JobID job = cluster.start(Settings.from(env, new String[0]), new Configuration(), null);
        String savepoint;
        try {
            new TelemetryProducer(kafka, 99).spans("eos-off-spans", GeneratedTrace.allSpans(traces));
            cluster.awaitAllTasksRunning(job, DEADLINE);
            savepoint = cluster.stopWithSavepoint(job, tmp.resolve("off-savepoints").toUri().toString());
        } finally {
            cluster.cancel(job);
        }
        env.remove("KAFKA_CORRELATIONS_TOPIC");
        job = cluster.start(Settings.from(env, new String[0]), new Configuration(), savepoint);
        try {
            // The exactly-once sink's writer and the committer Flink adds to it, nothing else.
            assertThat(cluster.droppedState).contains(OperatorIds.CORRELATIONS_TOPIC_SINK)
                    .allSatisfy(uid -> assertThat(uid).contains(OperatorIds.CORRELATIONS_TOPIC_SINK));
            cluster.awaitAllTasksRunning(job, DEADLINE); // restored: a refused savepoint fails the job
            cluster.miniCluster.triggerCheckpoint(job).get(2, TimeUnit.MINUTES);
        } finally {
            cluster.cancel(job);
        }
    }

    /** The job's settings for run {@code name} writing records to {@code correlationsTopic} (topics created here). */
    private Map<String, String> env(String name, String correlationsTopic) throws Exception {
        Map<String, String> env = PipelineSettings.env(kafka, null, tmp, name);
        env.put("KAFKA_CORRELATIONS_TOPIC", correlationsTopic);
        env.put("CHECKPOINT_INTERVAL_MS", "500");
        kafka.createTopic(correlationsTopic, 2);
        return env;
    }

    private Map<String, CorrelationRecord> awaitLatest(JobID job, int count, Predicate<CorrelationRecord> done, String what)
            throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        long matching = 0;
        while (System.nanoTime() < deadline) {
            Map<String, CorrelationRecord> latest = new LinkedHashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : readCommitted()) {
                latest.put(new String(r.key(), StandardCharsets.UTF_8),
                        RecordCodec.fromJson(new String(r.value(), StandardCharsets.UTF_8)));
            }
            matching = latest.values().stream().filter(done).count();
            if (matching == count) return latest;
            cluster.requireRunning(job);
            Thread.sleep(300);
        }
        throw new AssertionError("timed out waiting for " + what + ": " + matching + " of " + count);
    }

    /** Everything committed to the topic, each partition in offset order (under read_committed, end = LSO). */
    private List<ConsumerRecord<byte[], byte[]>> readCommitted() {
        Properties p = kafka.clientProperties();
        p.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(TOPIC, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) throw new AssertionError("could not read " + TOPIC + " to its end");
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static void pushWatermarkPastEveryTrace(TelemetryProducer producer, List<GeneratedTrace> traces) throws Exception {
        long last = traces.stream().flatMap(t -> t.spans().stream()).mapToLong(SpanEvent::endMillis).max().orElseThrow();
        SpanEvent span = new SpanEvent();
        span.traceId = PUSHER_TRACE;
        span.spanId = "ffffffffffffffff";
        span.name = "watermark";
        span.service = "pusher";
        span.env = "test";
        span.startTimeNanos = (last + Duration.ofMinutes(30).toMillis()) * 1_000_000L;
        span.endTimeNanos = span.startTimeNanos;
        LogEvent log = new LogEvent();
        log.traceId = PUSHER_TRACE;
        log.service = "pusher";
        log.env = "test";
        log.timeNanos = span.endTimeNanos;
        log.body = "watermark";
        producer.spans("eos-spans", List.of(span));
        producer.logsAsJson("eos-logs", List.of(log));
    }
}
