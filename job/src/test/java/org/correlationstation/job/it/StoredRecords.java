package org.correlationstation.job.it;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisEndpoint;
import org.correlationstation.core.redis.RedisKeys;
import org.correlationstation.core.testdata.GeneratedTrace;

/**
 * Reads what the job wrote to Redis, through the same keys and codec the query API uses; standalone,
 * Sentinel or Cluster, as {@code REDIS_URL} says ({@link RedisEndpoint}).
 */
final class StoredRecords implements AutoCloseable {
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    final RedisClusterCommands<String, String> redis;

    StoredRecords(String uri) {
        RedisEndpoint endpoint = RedisEndpoint.parse(uri);
        if (endpoint.cluster()) {
            RedisClusterClient cluster = RedisClusterClient.create(endpoint.nodes());
            cluster.setOptions(ClusterClientOptions.builder().topologyRefreshOptions(
                    ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().build()).build());
            StatefulRedisClusterConnection<String, String> c = cluster.connect();
            client = cluster;
            connection = c;
            redis = c.sync();
        } else {
            RedisClient standalone = RedisClient.create(endpoint.nodes().get(0));
            var c = standalone.connect();
            client = standalone;
            connection = c;
            redis = c.sync();
        }
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

    /** Waits until every trace's record holds all its spans: then the job has them in state too. */
    Map<String, CorrelationRecord> awaitSpans(List<GeneratedTrace> traces, PipelineCluster cluster, JobID job,
            Duration timeout) throws Exception {
        Map<String, Integer> spans = traces.stream().collect(Collectors.toMap(GeneratedTrace::traceId, t -> t.spans().size()));
        return await(traces, r -> r.spanCount == spans.get(r.traceId), "every trace's spans stored", cluster, job, timeout);
    }

    /**
     * Polls until every trace has a record that is {@code done}; fails at once with the job's error
     * when the job stopped, and at the deadline with an example of a record not yet done.
     */
    Map<String, CorrelationRecord> await(List<GeneratedTrace> traces, Predicate<CorrelationRecord> done, String what,
            PipelineCluster cluster, JobID job, Duration timeout) throws Exception {
        List<String> ids = traces.stream().map(GeneratedTrace::traceId).toList();
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, CorrelationRecord> records = Map.of();
        long matching = 0;
        while (System.nanoTime() < deadline) {
            records = byTrace(ids);
            matching = records.values().stream().filter(done).count();
            if (matching == ids.size()) return records;
            cluster.requireRunning(job);
            TimeUnit.MILLISECONDS.sleep(200);
        }
        String example = records.values().stream().filter(done.negate()).findFirst()
                .map(r -> "; e.g. stored " + RecordCodec.toJson(r)).orElse("");
        throw new AssertionError("timed out waiting for " + what + ": " + matching + " of " + ids.size()
                + " traces (" + records.size() + " stored); job " + cluster.status(job) + example);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
