package org.correlationstation.api.store;

import io.lettuce.core.Range;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.correlationstation.core.graph.GraphCodec;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.graph.ServiceGraph;
import org.correlationstation.core.redis.RedisKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code GET /api/graph} over Redis ({@code docs/api.md}, "Storage"): the bucket starts in
 * range from {@code corr:graph:buckets} ({@code ZRANGEBYSCORE [since, until)}), then {@code HGETALL} of
 * every bucket's hash, all sent at once, decoded and summed into a {@link ServiceGraph} on the
 * client's computation threads.
 *
 * <p>Every command is single-key and sent through the async API one by one, never as a dispatched
 * collection: on a cluster the index and the hashes live on different nodes, and lettuce routes a
 * dispatched collection through a blocking connection lookup that deadlocked the store's I/O threads
 * after a failover (see {@code RedisCorrelationStore#storedByTraceId}).
 *
 * <p>An index member whose hash is gone (expired: the index, which every write's {@code PEXPIRE}
 * keeps alive as a whole, is not trimmed with it) is skipped. It is removed from the index only once
 * its bucket started more than {@code retentionMillis} (the TTL and one bucket) ago: the job writes a
 * bucket while its spans end, so by then a missing hash has expired and stays gone; a younger
 * member's missing hash may have another cause (a write lost in a failover) and the member is only
 * skipped for now. Should late spans still come, their write adds the member again (the job adds it
 * with every accepted write). Unreadable fields and values are skipped and logged.
 */
final class RedisGraphRead {
    private static final Logger LOG = LoggerFactory.getLogger(RedisGraphRead.class);

    private RedisGraphRead() {}

    /**
     * @param retentionMillis how long after its start a bucket's hash can still be written (TTL plus
     *     one bucket); members older than that whose hash is gone are removed from the index
     * @param pruned counts the index members this reader removed
     * @param compute where the replies are decoded and summed
     */
    static CompletableFuture<ServiceGraph> read(RedisClusterAsyncCommands<String, String> redis, long sinceMillis,
            long untilMillis, String service, long nowMillis, long retentionMillis, AtomicLong pruned, Executor compute) {
        Range<Long> range = Range.from(Range.Boundary.including(sinceMillis), Range.Boundary.excluding(untilMillis));
        return redis.zrangebyscore(RedisKeys.GRAPH_BUCKETS, range).toCompletableFuture().thenCompose(members -> {
            List<String> read = new ArrayList<>(members.size());
            List<Long> starts = new ArrayList<>(members.size());
            List<CompletableFuture<Map<String, String>>> hashes = new ArrayList<>(members.size());
            for (String member : members) {
                long start;
                try {
                    start = Long.parseLong(member);
                } catch (NumberFormatException e) {
                    LOG.warn("skipping a member of {} that is not a bucket start: {}", RedisKeys.GRAPH_BUCKETS,
                            abbreviate(member));
                    continue;
                }
                read.add(member);
                starts.add(start);
                hashes.add(redis.hgetall(RedisKeys.graphBucket(start)).toCompletableFuture());
            }
            // Decoding and summing is the bulk of the work (several µs per stored element, so an hour
            // of minute buckets of 300 elements takes a tenth of a second or more): off the I/O
            // threads, which serve the other requests' lookups meanwhile.
            return CompletableFuture.allOf(hashes.toArray(CompletableFuture[]::new)).thenApplyAsync(ignored -> {
                ServiceGraph graph = new ServiceGraph(service);
                for (int i = 0; i < hashes.size(); i++) {
                    Map<String, String> hash = hashes.get(i).join();
                    long start = starts.get(i);
                    if (hash == null || hash.isEmpty()) {
                        if (start < nowMillis - retentionMillis) prune(redis, read.get(i), pruned);
                        continue;
                    }
                    addBucket(graph, start, hash);
                }
                return graph;
            }, compute);
        });
    }

    private static void addBucket(ServiceGraph graph, long start, Map<String, String> hash) {
        for (Map.Entry<String, String> field : hash.entrySet()) {
            try {
                GraphKey key = GraphCodec.key(field.getKey());
                // Decoding the counts is most of the work: not for elements the filter drops.
                if (graph.includes(key)) graph.add(key, GraphCodec.counts(field.getValue()));
            } catch (IllegalArgumentException e) {
                LOG.warn("skipping an unreadable field of {}: {}", RedisKeys.graphBucket(start),
                        abbreviate(e.getMessage()));
            }
        }
    }

    /** In the background: the answer does not wait. Counted once, by the reader whose ZREM took it out. */
    private static void prune(RedisClusterAsyncCommands<String, String> redis, String member, AtomicLong pruned) {
        redis.zrem(RedisKeys.GRAPH_BUCKETS, member).toCompletableFuture().whenComplete((n, error) -> {
            if (error != null) LOG.debug("removing {} from {} failed: {}", member, RedisKeys.GRAPH_BUCKETS, error.toString());
            else if (n != null && n > 0) pruned.incrementAndGet();
        });
    }

    private static String abbreviate(String s) {
        return s == null || s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
