package org.correlationstation.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.correlationstation.api.store.CorrelationStore;
import org.correlationstation.api.store.RedisCorrelationStore;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.redis.RedisKeys;
import org.correlationstation.core.testing.RedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/graph} over a real three-primary Redis Cluster: the index and the buckets' hashes
 * live on different nodes, every read is single-key and sent on its own through the cluster client.
 */
class ApiGraphRedisClusterTest extends ApiGraphContract {
    private static RedisCluster cluster;
    private static RedisClusterClient seedClient;
    private static StatefulRedisClusterConnection<String, String> seed;

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start(3, 0); // skipped (or failed under CI) without redis-server
        seedClient = RedisClusterClient.create(RedisURI.create("redis://127.0.0.1:" + cluster.ports().get(0)));
        seed = seedClient.connect();
    }

    @AfterAll
    static void stopCluster() {
        if (seed != null) seed.close();
        if (seedClient != null) seedClient.shutdown(0, 2, TimeUnit.SECONDS);
        if (cluster != null) cluster.close();
    }

    @BeforeEach
    void empty() {
        cluster.flushAll();
    }

    @Override
    protected CorrelationStore newStore() {
        RedisCorrelationStore store = RedisCorrelationStore.create(cluster.uri(), Duration.ofSeconds(2), Duration.ofMillis(200));
        assertThat(store.isCluster()).isTrue();
        return store;
    }

    @Override
    protected void seed(long bucketStart, Map<GraphKey, GraphCounts> elements) {
        GraphRedisSeed.bucket(seed.sync(), bucketStart, elements);
    }

    @Override
    protected void seedExpired(long bucketStart, Map<GraphKey, GraphCounts> elements) {
        GraphRedisSeed.indexOnly(seed.sync(), bucketStart);
    }

    @Test
    void theBucketsAndTheIndexAreSpreadOverTheNodes() throws Exception {
        seedThree(5);
        // Not a property of the code under test but of the data the other tests read (T0 is chosen for
        // it): the index and the buckets on every node, where a multi-key read would fail (CROSSSLOT).
        long slots = Stream.of(RedisKeys.GRAPH_BUCKETS, RedisKeys.graphBucket(T0), RedisKeys.graphBucket(T0 + MINUTE),
                RedisKeys.graphBucket(T0 + 2 * MINUTE)).map(SlotHash::getSlot).distinct().count();
        assertThat(slots).isEqualTo(4);
        assertThat(cluster.primaries()).hasSize(3).allSatisfy(port -> assertThat(cluster.keys(port)).isPositive());
    }
}
