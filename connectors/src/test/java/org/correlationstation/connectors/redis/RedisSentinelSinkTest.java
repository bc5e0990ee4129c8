package org.correlationstation.connectors.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.connectors.redis.SinkWriterFixture.TIMEOUT;
import static org.correlationstation.connectors.redis.SinkWriterFixture.assertStored;
import static org.correlationstation.connectors.redis.SinkWriterFixture.records;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.redis.RedisKeys;
import org.correlationstation.core.testing.RedisSentinels;
import org.junit.jupiter.api.Test;

/**
 * The Redis sink behind Sentinel (a primary, a replica, three sentinels): with {@code
 * REDIS_WAIT_REPLICAS=1}, no acknowledged record is lost when the primary is killed with SIGKILL and
 * the sentinels promote the replica; the sink finds the new primary through the sentinels.
 */
class RedisSentinelSinkTest {
    @Test
    void noAcknowledgedRecordIsLostWhenThePrimaryIsKilled() throws Exception {
        try (RedisSentinels redis = RedisSentinels.start(); SinkWriterFixture sink = new SinkWriterFixture(redis.uri(), 1)) {
            List<CorrelationRecord> before = records(200, "checkout");
            sink.writeAndFlush(before).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS); // acknowledged: on the replica too

            int victim = redis.primary();
            redis.kill(victim);
            List<CorrelationRecord> after = records(200, "checkout");
            CompletableFuture<Void> writing = sink.writeAndFlush(after); // under the failover
            redis.awaitFailoverFrom(victim);
            // The promoted replica has no replica of its own until the old primary comes back as one: WAIT 1
            // holds the writes (retried) until then.
            redis.restart(victim);
            writing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

            RedisClient client = RedisClient.create(RedisURI.create(redis.uri())); // through the sentinels
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                assertStored(before, connection.sync()::get);
                assertStored(after, connection.sync()::get);
                assertThat(connection.sync().zcard(RedisKeys.TIME_INDEX)).isEqualTo(400);
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
    }
}
