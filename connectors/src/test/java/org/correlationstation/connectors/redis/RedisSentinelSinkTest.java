package org.correlationstation.connectors.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
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
import org.correlationstation.core.testing.RedisSentinels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis sink behind Sentinel (a primary, a replica, three sentinels): with {@code
 * REDIS_WAIT_REPLICAS=1}, no acknowledged record is lost when the primary is killed with SIGKILL and
 * the sentinels promote the replica; the sink finds the new primary through the sentinels.
 */
class RedisSentinelSinkTest {
    private static final Duration TTL = Duration.ofSeconds(600);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private RedisSentinels redisSentinels;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;
    private MailboxThread task;
    private TestWriterContext context;
    private StatefulSinkWriter<CorrelationRecord, BufferedRequestState<RedisRecordWrite>> writer;

    @BeforeEach
    void setUp() {
        redisSentinels = RedisSentinels.start();
        client = RedisClient.create(RedisURI.create(redisSentinels.uri()));
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
        if (redisSentinels != null) redisSentinels.close();
    }

    private void open(int waitReplicas) throws Exception {
        RedisSink sink = RedisSink.builder().setRedisUri(redisSentinels.uri()).setRecordTtl(TTL).setMaxBatchSize(50)
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
    void noAcknowledgedRecordIsLostWhenThePrimaryIsKilled() throws Exception {
        open(1);
        List<CorrelationRecord> before = records(200, "checkout");
        writeAndFlush(before).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS); // acknowledged: on the replica too

        int victim = redisSentinels.primary();
        redisSentinels.kill(victim);
        List<CorrelationRecord> after = records(200, "checkout");
        CompletableFuture<Void> writing = writeAndFlush(after); // under the failover
        redisSentinels.awaitFailoverFrom(victim);
        // The promoted replica has no replica of its own until the old primary comes back as one: WAIT 1
        // holds the writes (retried) until then.
        redisSentinels.restart(victim);
        writing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        connection.close();
        connection = client.connect(); // through the sentinels, to the new primary
        redis = connection.sync();
        assertStored(before);
        assertStored(after);
        assertThat(redis.zcard(RedisKeys.TIME_INDEX)).isEqualTo(400);
    }
}
