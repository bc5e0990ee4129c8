package org.correlationstation.connectors.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.correlationstation.core.testing.RedisServerExtension;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sink in a real Flink job (serialized, on task threads, with checkpoints), parallelism 2. */
class RedisSinkITCase {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @Test
    void aJobWritesEveryRecord() throws Exception {
        List<CorrelationRecord> records = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            records.add(TestRecords.record(TestRecords.newTraceId(), 1 + i % 7, "svc-" + (i % 5)));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(100);
        env.fromData(records).rebalance()
                .sinkTo(RedisSink.builder().setRedisUri(REDIS.uri()).setMaxBatchSize(50)
                        .setBatchWait(Duration.ofMillis(20)).build());

        env.execute("redis-sink-it");

        RedisClient client = RedisClient.create(REDIS.uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            var redis = connection.sync();
            assertThat(redis.zcard(RedisKeys.TIME_INDEX)).isEqualTo(records.size());
            for (CorrelationRecord r : records) {
                assertThat(redis.get(RedisKeys.record(r.correlationId))).isEqualTo(RecordCodec.toJson(r));
            }
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
