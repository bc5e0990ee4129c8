package org.correlationstation.api.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.correlationstation.connectors.redis.CasScript;
import org.correlationstation.connectors.redis.RecordBatchWriter;
import org.correlationstation.connectors.redis.RedisRecordWrite;
import org.correlationstation.connectors.redis.RedisSink;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.testing.RedisCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store on a real Redis Cluster through the loss of a primary (SIGKILL, its replica promoted):
 * lookups go on answering, also lookups issued from the store's own I/O threads (a lookup composed on
 * another's reply), which must never wait there for a connection to the new primary.
 */
class RedisClusterFailoverStoreTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Bounded: a store whose I/O threads wait on themselves never answers (it hung before the fix). */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void lookupsGoOnThroughTheLossOfAPrimary() throws Exception {
        try (RedisCluster cluster = RedisCluster.start(3, 1)) {
            StoreTestRecords gen = new StoreTestRecords(7);
            List<CorrelationRecord> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) all.add(gen.record(StoreTestRecords.BASE + i, "closed", false, "checkout"));
            RedisClusterClient seedClient = RedisClusterClient.create(RedisURI.create("redis://127.0.0.1:" + cluster.ports().get(0)));
            try (StatefulRedisClusterConnection<String, String> seed = seedClient.connect()) {
                var options = RedisSink.builder().setRedisUri(cluster.uri()).setWaitReplicas(1).buildOptions();
                new RecordBatchWriter(new CasScript(), options)
                        .write(seed.async(), all.stream().map(RedisRecordWrite::of).toList(), System.currentTimeMillis())
                        .toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                // The writes on every replica before a primary goes (WAIT counts the writes of its connection,
                // the one the writes were routed through).
                for (int port : cluster.primaries()) {
                    assertThat(seed.getConnection("127.0.0.1", port).sync().waitForReplication(1, 10_000))
                            .as("replicas of %d with the writes", port).isGreaterThanOrEqualTo(1);
                }
            } finally {
                seedClient.shutdown(0, 2, TimeUnit.SECONDS);
            }

            try (RedisCorrelationStore store = RedisCorrelationStore.create(cluster.uri(), Duration.ofSeconds(2),
                    Duration.ofMillis(200))) {
                assertThat(lookUpAll(store, all)).as("before").allSatisfy(r -> assertThat(r).isPresent());
                int victim = cluster.primaries().get(0);
                cluster.kill(victim);
                cluster.awaitFailoverOf(victim);
                // Composed lookups: each next one is issued from the reply thread of the last. Commands already
                // queued for the dead node time out (a 504 for a user) until the store's view of the cluster is
                // refreshed; then every lookup answers. A store whose I/O threads hang never answers again.
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                List<Optional<CorrelationRecord>> after = null;
                while (after == null) {
                    try {
                        after = lookUpAllComposed(store, all);
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (System.nanoTime() > deadline) throw e;
                    }
                }
                assertThat(after).as("after the failover").allSatisfy(r -> assertThat(r).isPresent());
            }
        }
    }

    private static List<Optional<CorrelationRecord>> lookUpAll(RedisCorrelationStore store, List<CorrelationRecord> all)
            throws Exception {
        List<Optional<CorrelationRecord>> out = new ArrayList<>();
        for (CorrelationRecord r : all) out.add(store.byTraceId(r.traceId).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        return out;
    }

    /** Ten chains of lookups at once, each next lookup started in the callback of the previous one's reply. */
    private static List<Optional<CorrelationRecord>> lookUpAllComposed(RedisCorrelationStore store,
            List<CorrelationRecord> all) throws Exception {
        List<Optional<CorrelationRecord>> out = java.util.Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<?>> chains = new ArrayList<>();
        for (int chain = 0; chain < 10; chain++) {
            CompletableFuture<?> f = CompletableFuture.completedFuture(null);
            for (int i = chain; i < all.size(); i += 10) {
                String traceId = all.get(i).traceId;
                f = f.thenCompose(ignored -> store.byTraceId(traceId)).thenAccept(out::add);
            }
            chains.add(f);
        }
        CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(out).hasSize(all.size());
        return out;
    }
}
