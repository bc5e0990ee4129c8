package org.correlationstation.connectors.redis;

import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.correlationstation.core.graph.GraphCodec;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.core.redis.RedisKeys;

/**
 * Writes service-graph totals: a compare-and-set per element into its bucket's hash
 * ({@code cas_graph.lua}, one key), then the buckets that took a write into the bucket index
 * ({@link RedisKeys#GRAPH_BUCKETS}), whose expiry every write refreshes. On a cluster the hash and the
 * index are on different nodes: a reader meets an index entry whose hash expired and skips it.
 */
final class GraphBatchWriter {
    private static final String RESOURCE = "cas_graph.lua";

    private final LuaScript script = new LuaScript(RESOURCE);
    private final long ttlMillis;

    GraphBatchWriter(long ttlMillis) {
        this.ttlMillis = ttlMillis;
    }

    private record Element(long bucket, GraphKey key) {}

    /** Per element and bucket, the update with the most calls (a batch can hold several totals of one). */
    static List<GraphUpdate> latestPerElement(Collection<GraphUpdate> batch) {
        Map<Element, GraphUpdate> latest = new LinkedHashMap<>();
        for (GraphUpdate u : batch) {
            latest.merge(new Element(u.bucketStartMillis(), u.key()), u,
                    (kept, next) -> next.counts().calls >= kept.counts().calls ? next : kept);
        }
        return new ArrayList<>(latest.values());
    }

    CompletionStage<BatchResult> write(RedisClusterAsyncCommands<String, String> commands, Runnable flush,
            List<GraphUpdate> batch) {
        List<CompletableFuture<Long>> results = new ArrayList<>(batch.size());
        for (GraphUpdate u : batch) results.add(compareAndSet(commands, flush, u));
        flush.run();
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenCompose(ignored -> {
            TreeSet<Long> buckets = new TreeSet<>();
            int written = 0;
            for (int i = 0; i < batch.size(); i++) {
                if (results.get(i).join() == 1L) {
                    written++;
                    buckets.add(batch.get(i).bucketStartMillis());
                }
            }
            int rejected = batch.size() - written;
            if (buckets.isEmpty()) return CompletableFuture.completedFuture(new BatchResult(0, rejected));
            List<ScoredValue<String>> members = new ArrayList<>(buckets.size());
            for (long b : buckets) members.add(ScoredValue.just((double) b, Long.toString(b)));
            @SuppressWarnings("unchecked")
            ScoredValue<String>[] scored = members.toArray(ScoredValue[]::new);
            CompletableFuture<Long> indexed = commands.zadd(RedisKeys.GRAPH_BUCKETS, scored).toCompletableFuture();
            CompletableFuture<Boolean> expiry = commands.pexpire(RedisKeys.GRAPH_BUCKETS, ttlMillis).toCompletableFuture();
            flush.run();
            int done = written;
            return CompletableFuture.allOf(indexed, expiry).thenApply(v -> new BatchResult(done, rejected));
        });
    }

    private CompletableFuture<Long> compareAndSet(RedisClusterAsyncCommands<String, String> commands, Runnable flush,
            GraphUpdate u) {
        return script.run(commands, flush, new String[] {RedisKeys.graphBucket(u.bucketStartMillis())},
                GraphCodec.field(u.key()), GraphCodec.value(u.counts()), Long.toString(u.counts().calls),
                Long.toString(ttlMillis));
    }
}
