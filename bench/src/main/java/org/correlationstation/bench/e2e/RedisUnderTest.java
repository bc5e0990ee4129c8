package org.correlationstation.bench.e2e;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.correlationstation.core.testing.RedisCluster;
import org.correlationstation.core.testing.RedisServer;

/**
 * The Redis a measured job writes to: one {@code redis-server}, or a Redis Cluster whose per-node
 * command counts show whether one node (the one holding the single index keys) takes more than its share.
 */
interface RedisUnderTest {
    /** How the report names the job writing here. */
    String pipeline();

    String uri();

    void flushAll();

    /** CPU time of the Redis processes so far, in nanoseconds (0 where not known). */
    long cpuNanos();

    /** Commands processed so far per primary (port → count); empty for one server. */
    Map<Integer, Long> commandsPerPrimary();

    static RedisUnderTest standalone(RedisServer redis) {
        return new RedisUnderTest() {
            @Override
            public String pipeline() {
                return "job";
            }

            @Override
            public String uri() {
                return redis.uri();
            }

            @Override
            public void flushAll() {
                redis.flushAll();
            }

            @Override
            public long cpuNanos() {
                return redis.cpuTime().map(Duration::toNanos).orElse(0L);
            }

            @Override
            public Map<Integer, Long> commandsPerPrimary() {
                return Map.of();
            }
        };
    }

    static RedisUnderTest cluster(RedisCluster redis) {
        return new RedisUnderTest() {
            @Override
            public String pipeline() {
                return "job, redis cluster";
            }

            @Override
            public String uri() {
                return redis.uri();
            }

            @Override
            public void flushAll() {
                redis.flushAll();
            }

            @Override
            public long cpuNanos() {
                return redis.cpuTime().map(Duration::toNanos).orElse(0L);
            }

            @Override
            public Map<Integer, Long> commandsPerPrimary() {
                Map<Integer, Long> out = new LinkedHashMap<>();
                for (int port : redis.primaries()) out.put(port, redis.commandsProcessed(port));
                return out;
            }
        };
    }
}
