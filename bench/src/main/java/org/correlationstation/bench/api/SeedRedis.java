package org.correlationstation.bench.api;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.correlationstation.connectors.redis.CasScript;
import org.correlationstation.connectors.redis.RecordBatchWriter;
import org.correlationstation.connectors.redis.RedisRecordWrite;
import org.correlationstation.connectors.redis.RedisSinkOptions;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisEndpoint;

/**
 * Loads N correlation records into Redis through the job's own writer (compare-and-set, indexes,
 * TTLs: exactly what the sink writes) and lists their trace ids in a file for the load drivers.
 *
 * <pre>java -cp bench.jar org.correlationstation.bench.api.SeedRedis --redis-url redis://127.0.0.1:6379 --count 100000 --out ids.txt</pre>
 */
public final class SeedRedis {
    private static final String[] SERVICES = {"gateway", "checkout", "payments", "inventory", "shipping", "search"};

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String url = args.require("redis-url");
        int count = (int) args.getLong("count", 100_000);
        Path out = Path.of(args.get("out", "trace-ids.txt"));
        RedisSinkOptions options = new RedisSinkOptions(url, Duration.ofHours(2), 1000, Duration.ofMillis(100), 4,
                Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60), 1000, 0);
        RecordBatchWriter writer = new RecordBatchWriter(new CasScript(), options);
        RedisEndpoint endpoint = RedisEndpoint.parse(url);
        // a Redis Cluster too (REDIS_URL with several nodes or ?cluster=true), as the API and the sink read it
        AbstractRedisClient client = endpoint.cluster() ? RedisClusterClient.create(endpoint.nodes())
                : RedisClient.create(endpoint.nodes().get(0));
        List<String> ids = new ArrayList<>(count);
        Random random = new Random(42);
        long now = System.currentTimeMillis();
        try (StatefulConnection<String, String> connection = client instanceof RedisClusterClient cluster
                ? cluster.connect() : ((RedisClient) client).connect()) {
            RedisClusterAsyncCommands<String, String> commands = connection instanceof StatefulRedisClusterConnection<String, String> c
                    ? c.async() : ((StatefulRedisConnection<String, String>) connection).async();
            List<RedisRecordWrite> batch = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                CorrelationRecord r = record(random, now - random.nextInt(3_600_000));
                ids.add(r.traceId);
                batch.add(RedisRecordWrite.of(r));
                if (batch.size() == 1000 || i == count - 1) {
                    writer.write(commands, batch, System.currentTimeMillis()).toCompletableFuture().get();
                    batch.clear();
                }
            }
        } finally {
            client.shutdown();
        }
        writeIds(out, ids);
        System.out.println("seeded " + count + " records; trace ids in " + out);
    }

    private static CorrelationRecord record(Random random, long firstSeen) {
        String traceId = String.format("%016x%016x", random.nextLong(), random.nextLong());
        CorrelationRecord r = new CorrelationRecord();
        r.correlationId = CorrelationIds.forTrace(traceId);
        r.traceId = traceId;
        r.status = CorrelationRecord.CLOSED;
        r.version = 3;
        r.firstSeen = RecordCodec.formatTime(firstSeen);
        r.lastSeen = RecordCodec.formatTime(firstSeen + 840);
        r.durationMs = 840;
        String root = SERVICES[0];
        String child = SERVICES[1 + random.nextInt(SERVICES.length - 1)];
        r.root = new CorrelationRecord.Root(root, "GET /checkout", String.format("%016x", random.nextLong()));
        r.service = root;
        r.services = new ArrayList<>(List.of(child, root));
        r.services.sort(null);
        r.env = "bench";
        r.spanCount = 12;
        r.logCount = 30;
        r.errorSpanCount = random.nextInt(10) == 0 ? 1 : 0;
        r.hasError = r.errorSpanCount > 0;
        r.maxSeverity = r.hasError ? "ERROR" : "INFO";
        r.edges.add(new CorrelationRecord.Edge(root, child, 2, (int) r.errorSpanCount));
        r.links.add(new CorrelationRecord.Link(String.format("%016x", random.nextLong()), "charge", child, 3, 1));
        r.updatedAt = RecordCodec.formatTime(firstSeen + 2000);
        return r;
    }

    private static void writeIds(Path out, List<String> ids) throws IOException {
        Files.write(out, ids);
    }
}
