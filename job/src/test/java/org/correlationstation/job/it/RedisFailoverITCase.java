package org.correlationstation.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.TraceGenerator;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.correlationstation.core.testing.RedisCluster;
import org.correlationstation.core.testing.RedisSentinels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline writing to a real Redis Cluster (3 primaries, a replica each) and to a real Sentinel
 * setup, with {@code REDIS_WAIT_REPLICAS=1}: a primary killed with SIGKILL while the job writes, its
 * replica promoted, the old primary back as a replica; then every record is exact, the ones written
 * just before the kill included. The records are spread over every primary of the cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisFailoverITCase {
    private static final int TRACES = 600;
    private static final long SLACK_MS = 1000;
    private static final Duration DEADLINE = Duration.ofMinutes(3);

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

    /** How the test takes a primary away and gives the Redis setup back its replica. */
    private interface Failover {
        void killPrimary();

        void recover();
    }

    @Test
    void everyRecordIsExactThroughTheLossOfAClusterPrimary() throws Exception {
        try (RedisCluster redis = RedisCluster.start(3, 1)) {
            int[] victim = new int[1];
            run("cluster", redis.uri(), 2, new Failover() {
                @Override
                public void killPrimary() {
                    victim[0] = redis.primaries().get(0);
                    redis.kill(victim[0]);
                }

                @Override
                public void recover() {
                    redis.awaitFailoverOf(victim[0]);
                    redis.restart(victim[0]);
                    redis.awaitHealthy();
                }
            });
            assertThat(redis.primaries()).hasSize(3).allSatisfy(port ->
                    assertThat(redis.keys(port)).as("keys on primary %d", port).isGreaterThan(TRACES / 10));
        }
    }

    @Test
    void everyRecordIsExactThroughASentinelFailover() throws Exception {
        try (RedisSentinels redis = RedisSentinels.start()) {
            int[] victim = new int[1];
            run("sentinel", redis.uri(), 3, new Failover() {
                @Override
                public void killPrimary() {
                    victim[0] = redis.primary();
                    redis.kill(victim[0]);
                }

                @Override
                public void recover() {
                    redis.awaitFailoverFrom(victim[0]);
                    redis.restart(victim[0]);
                    redis.awaitReplicas(1);
                }
            });
        }
    }

    private void run(String name, String redisUrl, long seed, Failover failover) throws Exception {
        Settings settings = PipelineSettings.create(kafka, redisUrl, tmp, name, Map.of("REDIS_WAIT_REPLICAS", "1"));
        List<GeneratedTrace> traces = new TraceGenerator(seed).traceSpacingMillis(10).generate(TRACES);
        JobID job = cluster.start(settings, new Configuration(), null);
        try (StoredRecords stored = new StoredRecords(redisUrl)) {
            TelemetryProducer producer = new TelemetryProducer(kafka, seed);
            producer.spans(name + "-spans", GeneratedTrace.allSpans(traces));
            // Every trace's spans acknowledged (on a replica too): the writes a lost primary must not take along.
            stored.awaitSpans(traces, cluster, job, DEADLINE);

            failover.killPrimary();
            producer.logsAsJson(name + "-logs", GeneratedTrace.allLogsWithUntraced(traces)); // written under the failover
            failover.recover();
            producer.pushWatermarkPast(name, traces);

            Map<String, String> expected = new HashMap<>();
            for (GeneratedTrace t : traces) {
                expected.put(t.traceId(), RecordCodec.toJson(ExpectedRecord.of(t.traceId(), t.spans(), t.logs(), SLACK_MS)));
            }
            Map<String, CorrelationRecord> actual = stored.await(traces,
                    r -> ExpectedRecord.comparable(r).equals(expected.get(r.traceId)), "every record exact", cluster, job,
                    DEADLINE);
            for (GeneratedTrace t : traces) {
                assertThat(ExpectedRecord.comparable(actual.get(t.traceId()))).as("record of " + t.traceId())
                        .isEqualTo(expected.get(t.traceId()));
            }
        } finally {
            cluster.cancel(job);
        }
    }
}
