package org.correlationstation.job.it;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;

/** Reads what the job wrote to Redis, through the same keys and codec the query API uses. */
final class StoredRecords implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    final RedisCommands<String, String> redis;

    StoredRecords(String uri) {
        client = RedisClient.create(uri);
        connection = client.connect();
        redis = connection.sync();
    }

    /** The stored record of each trace that has one. */
    Map<String, CorrelationRecord> byTrace(List<String> traceIds) {
        Map<String, CorrelationRecord> out = new HashMap<>();
        for (String traceId : traceIds) {
            String correlationId = redis.get(RedisKeys.trace(traceId));
            if (correlationId == null) continue;
            String json = redis.get(RedisKeys.record(correlationId));
            if (json != null) out.put(traceId, RecordCodec.fromJson(json));
        }
        return out;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
