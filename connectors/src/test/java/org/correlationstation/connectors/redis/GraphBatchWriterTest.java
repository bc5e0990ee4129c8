package org.correlationstation.connectors.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.correlationstation.core.graph.GraphCodec;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.core.redis.RedisKeys;
import org.correlationstation.core.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The service graph's writes against a real Redis: totals never go backwards; buckets indexed; expiries set. */
class GraphBatchWriterTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final long TTL_MS = 60_000;
    private static final long BUCKET = 1_800_000_000_000L - 1_800_000_000_000L % 60_000;
    private static final GraphKey EDGE = GraphKey.edge("frontend", "checkout");

    private final GraphBatchWriter writer = new GraphBatchWriter(TTL_MS);
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void connect() {
        client = RedisClient.create(REDIS.uri());
        connection = client.connect();
        redis = connection.sync();
        redis.flushall();
    }

    @AfterEach
    void disconnect() {
        if (connection == null) return; // skipped: no redis-server
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private BatchResult write(GraphUpdate... updates) throws Exception {
        return writer.write(connection.async(), RecordBatchWriter.FLUSHES_ITSELF, List.of(updates)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private GraphCounts stored(long bucket, GraphKey key) {
        String value = redis.hget(RedisKeys.graphBucket(bucket), GraphCodec.field(key));
        return value == null ? null : GraphCodec.counts(value);
    }

    @Test
    void aTotalReplacesOnlyOneThatCountsNoMoreCalls() throws Exception {
        assertThat(write(update(BUCKET, EDGE, 3))).isEqualTo(new BatchResult(1, 0));
        assertThat(write(update(BUCKET, EDGE, 2))).as("an older total, replayed").isEqualTo(new BatchResult(0, 1));
        assertThat(stored(BUCKET, EDGE).calls).isEqualTo(3);
        assertThat(write(update(BUCKET, EDGE, 3))).as("the same total again").isEqualTo(new BatchResult(1, 0));
        assertThat(write(update(BUCKET, EDGE, 5))).isEqualTo(new BatchResult(1, 0));
        assertThat(stored(BUCKET, EDGE)).isEqualTo(update(BUCKET, EDGE, 5).counts());
    }

    @Test
    void bucketsAreIndexedAndExpire() throws Exception {
        write(update(BUCKET, EDGE, 1), update(BUCKET + 60_000, GraphKey.node("checkout"), 4));
        assertThat(redis.zrange(RedisKeys.GRAPH_BUCKETS, 0, -1))
                .containsExactly(Long.toString(BUCKET), Long.toString(BUCKET + 60_000));
        assertThat(redis.pttl(RedisKeys.graphBucket(BUCKET))).isBetween(1L, TTL_MS);
        assertThat(redis.pttl(RedisKeys.GRAPH_BUCKETS)).isBetween(1L, TTL_MS);
    }

    @Test
    void ofSeveralTotalsOfOneElementInABatchTheLargestIsSent() {
        List<GraphUpdate> batch = GraphBatchWriter.latestPerElement(List.of(update(BUCKET, EDGE, 2), update(BUCKET, EDGE, 7),
                update(BUCKET, EDGE, 4), update(BUCKET + 60_000, EDGE, 1)));
        assertThat(batch).extracting(u -> u.counts().calls).containsExactly(7L, 1L);
    }

    private static GraphUpdate update(long bucket, GraphKey key, int calls) {
        GraphCounts c = new GraphCounts();
        for (int i = 0; i < calls; i++) c.add((10 + i) * 1_000_000L, i == 0);
        return new GraphUpdate(bucket, key, c);
    }
}
