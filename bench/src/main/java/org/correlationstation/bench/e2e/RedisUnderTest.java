package org.correlationstation.bench.e2e;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.correlationstation.core.testing.RedisCluster;
import org.correlationstation.core.testing.RedisServer;

/**
 * The Redis a measured job writes to: one {@code redis-server}, or a Redis Cluster whose per-node
 * command counts show whether one node (the one holding the single index keys) takes more than its share.
 *
 * @param pipeline how the report names the job writing here
 * @param cpu CPU time of the Redis processes so far
 * @param commandsPerPrimary commands processed so far per primary (port → count); empty for one server
 */
record RedisUnderTest(String pipeline, String uri, Runnable flushAll, Supplier<Optional<Duration>> cpu,
        Supplier<Map<Integer, Long>> commandsPerPrimary) {

    static RedisUnderTest standalone(RedisServer redis) {
        return new RedisUnderTest("job", redis.uri(), redis::flushAll, redis::cpuTime, Map::of);
    }

    static RedisUnderTest cluster(RedisCluster redis) {
        return new RedisUnderTest("job, redis cluster", redis.uri(), redis::flushAll, redis::cpuTime, () -> {
            Map<Integer, Long> out = new LinkedHashMap<>();
            for (int port : redis.primaries()) out.put(port, redis.commandsProcessed(port));
            return out;
        });
    }

    /** CPU time of the Redis processes so far, in nanoseconds (0 where not known). */
    long cpuNanos() {
        return cpu.get().map(Duration::toNanos).orElse(0L);
    }
}
