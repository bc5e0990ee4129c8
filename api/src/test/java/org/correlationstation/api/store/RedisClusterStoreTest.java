package org.correlationstation.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.api.store.StoreTestRecords.BASE;
import static org.correlationstation.api.store.StoreTestRecords.NEWEST_FIRST;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.correlationstation.connectors.redis.CasScript;
import org.correlationstation.connectors.redis.RecordBatchWriter;
import org.correlationstation.connectors.redis.RedisRecordWrite;
import org.correlationstation.connectors.redis.RedisSink;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.redis.RedisKeys;
import org.correlationstation.core.testing.RedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis store against a real three-node Redis Cluster (keys spread over the nodes): every read
 * is single-key, so lookups, listings and pruning work through the cluster client. Seeded through
 * the sink's writer on a cluster connection.
 */
class RedisClusterStoreTest {
    private static final String HOST = "127.0.0.1";
    private static RedisCluster cluster;
    private static List<Integer> ports;
    private static RedisClusterClient seedClient;
    private static StatefulRedisClusterConnection<String, String> seed;

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start(3, 0); // skipped (or failed under CI) without redis-server
        ports = cluster.ports();
        seedClient = RedisClusterClient.create(RedisURI.create("redis://" + HOST + ":" + ports.get(0)));
        seed = seedClient.connect();
    }

    @AfterAll
    static void stopCluster() {
        if (seed != null) seed.close();
        if (seedClient != null) seedClient.shutdown(0, 2, TimeUnit.SECONDS);
        if (cluster != null) cluster.close();
    }

    private static void write(List<CorrelationRecord> records, Duration ttl) throws Exception {
        var options = RedisSink.builder().setRedisUri("redis://" + HOST + ":" + ports.get(0)).setRecordTtl(ttl).buildOptions();
        new RecordBatchWriter(new CasScript(), options)
                .write(seed.async(), records.stream().map(RedisRecordWrite::of).toList(), System.currentTimeMillis())
                .toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void looksUpListsAndPrunesThroughTheClusterClient() throws Exception {
        StoreTestRecords gen = new StoreTestRecords(30);
        List<CorrelationRecord> gone = new ArrayList<>();
        for (int i = 0; i < 3; i++) gone.add(gen.record(BASE + 5, "open", false, "checkout"));
        List<CorrelationRecord> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            all.add(gen.record(BASE + (i % 9) * 10L, i % 2 == 0 ? "open" : "closed", i % 4 == 0,
                    i % 3 == 0 ? new String[] {"checkout", "gateway"} : new String[] {"checkout"}));
        }
        // The writer sets each index key's expiry to its batch's TTL: short-lived first, then the rest
        // in small batches, so that the first of them refreshes the indexes long before 1 s passed.
        write(gone, Duration.ofSeconds(1));
        for (int i = 0; i < all.size(); i += 25) write(all.subList(i, i + 25), Duration.ofHours(1));

        String uri = "redis://" + HOST + ":" + ports.get(0) + "," + HOST + ":" + ports.get(1);
        try (RedisCorrelationStore store = RedisCorrelationStore.create(uri, Duration.ofSeconds(2), Duration.ofMillis(200))) {
            assertThat(store.isCluster()).isTrue();
            store.ping().get(10, TimeUnit.SECONDS);
            CorrelationRecord some = all.get(17);
            assertThat(store.byTraceId(some.traceId).get(10, TimeUnit.SECONDS)).get()
                    .satisfies(r -> assertThat(r.correlationId).isEqualTo(some.correlationId));
            assertThat(store.byCorrelationId(all.get(3).correlationId).get(10, TimeUnit.SECONDS)).isPresent();

            waitFor(() -> gone.stream().allMatch(r -> seed.sync().exists(RedisKeys.record(r.correlationId)) == 0));
            List<String> want = StoreTestRecords.ids(all.stream()
                    .filter(r -> r.services.contains("gateway") && r.hasError).sorted(NEWEST_FIRST).toList());
            assertThat(pageThrough(store, "gateway", true, 7)).containsExactlyElementsOf(want);
            List<String> everything = StoreTestRecords.ids(all.stream().sorted(NEWEST_FIRST).toList());
            assertThat(pageThrough(store, null, null, 7)).containsExactlyElementsOf(everything);
            waitFor(() -> gone.stream().allMatch(r -> seed.sync().zscore(RedisKeys.TIME_INDEX, r.correlationId) == null
                    && seed.sync().zscore(RedisKeys.service("checkout"), r.correlationId) == null));
        }
    }

    private static List<String> pageThrough(RedisCorrelationStore store, String service, Boolean hasError, int limit)
            throws Exception {
        List<String> out = new ArrayList<>();
        Cursor cursor = null;
        do {
            Page page = store.query(new CorrelationQuery(service, null, null, null, hasError, limit, cursor))
                    .get(10, TimeUnit.SECONDS);
            out.addAll(StoreTestRecords.ids(page.items()));
            cursor = page.next();
        } while (cursor != null);
        return out;
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}
