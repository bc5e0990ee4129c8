package org.correlationstation.connectors.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.correlationstation.connectors.testutil.MailboxThread;
import org.correlationstation.connectors.testutil.TestWriterContext;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;
import org.correlationstation.core.testing.RedisCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis sink on a real Redis Cluster (3 primaries, a replica each): records and index keys spread
 * over every primary, and with {@code REDIS_WAIT_REPLICAS=1} no acknowledged record is lost when a
 * primary is killed with SIGKILL and its replica takes over.
 */
class RedisClusterSinkTest {
    private static final Duration TTL = Duration.ofSeconds(600);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private RedisCluster cluster;
    private RedisClusterClient client;
    private StatefulRedisClusterConnection<String, String> connection;
    private RedisAdvancedClusterCommands<String, String> redis;
    private MailboxThread task;
    private TestWriterContext context;
    private StatefulSinkWriter<CorrelationRecord, BufferedRequestState<RedisRecordWrite>> writer;

    @BeforeEach
    void setUp() {
        cluster = RedisCluster.start(3, 1);
        client = RedisClusterClient.create(RedisURI.create("redis://127.0.0.1:" + cluster.ports().get(0)));
        client.setOptions(ClusterClientOptions.builder().topologyRefreshOptions(
                ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().build()).build());
        connection = client.connect();
        redis = connection.sync();
        task = new MailboxThread("redis-cluster-sink-task");
        context = new TestWriterContext(task);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (writer != null) {
            task.call(() -> {
                writer.close();
                return null;
            }, TIMEOUT);
        }
        if (task != null) {
            task.close();
            context.close();
        }
        if (connection != null) connection.close();
        if (client != null) client.shutdown(0, 2, TimeUnit.SECONDS);
        if (cluster != null) cluster.close();
    }

    private void open(int waitReplicas) throws Exception {
        RedisSink sink = RedisSink.builder().setRedisUri(cluster.uri()).setRecordTtl(TTL).setMaxBatchSize(50)
                .setBatchWait(Duration.ofMinutes(5)).setRetryDelay(Duration.ofMillis(100))
                .setMaxRetryDelay(Duration.ofMillis(500)).setRequestTimeout(Duration.ofSeconds(2))
                .setWaitReplicas(waitReplicas).build();
        writer = task.call(() -> sink.createWriter(context), TIMEOUT);
    }

    private CompletableFuture<Void> writeAndFlush(List<CorrelationRecord> records) {
        return task.run(() -> {
            for (CorrelationRecord r : records) writer.write(r, null);
            writer.flush(false); // as at a checkpoint: returns once Redis acknowledged everything
        });
    }

    private static List<CorrelationRecord> records(int n, String... services) {
        List<CorrelationRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(TestRecords.record(TestRecords.newTraceId(), 1 + i % 7, services));
        return out;
    }

    private void assertStored(List<CorrelationRecord> records) {
        for (CorrelationRecord r : records) {
            assertThat(redis.get(RedisKeys.record(r.correlationId))).as(r.traceId).isEqualTo(RecordCodec.toJson(r));
            assertThat(redis.get(RedisKeys.trace(r.traceId))).isEqualTo(r.correlationId);
        }
    }

    @Test
    void recordsSpreadOverEveryPrimaryAndReachTheirReplicas() throws Exception {
        open(1);
        List<CorrelationRecord> records = records(300, "checkout", "payments");
        writeAndFlush(records).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        assertStored(records);
        assertThat(redis.zcard(RedisKeys.TIME_INDEX)).isEqualTo(300);
        assertThat(cluster.primaries()).hasSize(3).allSatisfy(port ->
                assertThat(cluster.keys(port)).as("keys on primary %d", port).isGreaterThan(50));
    }

    @Test
    void noAcknowledgedRecordIsLostWhenAPrimaryIsKilled() throws Exception {
        open(1);
        List<CorrelationRecord> before = records(200, "checkout");
        writeAndFlush(before).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS); // acknowledged: on the replicas too

        int victim = cluster.primaries().get(0);
        cluster.kill(victim);
        List<CorrelationRecord> after = records(200, "checkout");
        CompletableFuture<Void> writing = writeAndFlush(after); // under the failover
        cluster.awaitFailoverOf(victim);
        // The new primary has no replica until the old one rejoins as its replica: WAIT 1 holds the
        // checkpoint (the writes retried) until then, rather than acknowledging writes one copy holds.
        cluster.restart(victim);
        writing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        assertStored(before);
        assertStored(after);
        assertThat(redis.zcard(RedisKeys.TIME_INDEX)).isEqualTo(400);
    }
}
