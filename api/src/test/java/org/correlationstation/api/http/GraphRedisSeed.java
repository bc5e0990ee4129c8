package org.correlationstation.api.http;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.correlationstation.core.graph.GraphCodec;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.redis.RedisKeys;

/**
 * Writes service-graph buckets the way the job stores them (the contract of issue 24, docs/redis.md):
 * the hash {@code corr:graph:<start>} (field {@link GraphCodec#field}, value {@link GraphCodec#value})
 * expiring after the TTL, and the start in {@code corr:graph:buckets} (member and score). Single-key
 * commands, so the same on a cluster, where the hash and the index land on different nodes.
 */
final class GraphRedisSeed {
    static final Duration TTL = Duration.ofHours(1);

    private GraphRedisSeed() {}

    static void bucket(RedisClusterCommands<String, String> redis, long start, Map<GraphKey, GraphCounts> elements) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (Map.Entry<GraphKey, GraphCounts> e : elements.entrySet()) {
            fields.put(GraphCodec.field(e.getKey()), GraphCodec.value(e.getValue()));
        }
        redis.hset(RedisKeys.graphBucket(start), fields);
        redis.pexpire(RedisKeys.graphBucket(start), TTL.toMillis());
        indexOnly(redis, start);
    }

    /** The index member alone: what is left of a bucket whose hash expired. */
    static void indexOnly(RedisClusterCommands<String, String> redis, long start) {
        redis.zadd(RedisKeys.GRAPH_BUCKETS, start, Long.toString(start));
    }
}
