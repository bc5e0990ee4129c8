package org.correlationstation.bench.e2e;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.correlationstation.bench.load.LoadDriver;
import org.correlationstation.bench.load.SentTrace;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;

/**
 * Record freshness: from a trace's intended send time (the generator's fixed schedule, so a stalled
 * sender cannot hide latency: no coordinated omission) to the moment its correlation record is first
 * readable in Redis. Redis tells us that moment itself: keyspace notifications ({@code E$}) publish the
 * key of every {@code SET} on {@code __keyevent@0__:set}, so nothing polls.
 *
 * <p>Each first {@code SET} is split in two by the record's {@code updated_at} (the correlator's wall
 * clock when it emitted the record; read with one {@code GET} per trace, before a re-emission a second
 * later replaces it): send → emission (generator batching, Kafka, the sources, the correlator's wait)
 * and emission → readable (the Redis writer's batching and round trip).
 */
final class FreshnessProbe implements LoadDriver.TraceListener, AutoCloseable {
    private static final String CHANNEL = "__keyevent@0__:set";

    private final RedisClient client;
    private final StatefulRedisPubSubConnection<String, String> connection;
    /** Record key → intended send time (nanoTime) of traces not yet seen in Redis. */
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final Recorder recorder = new Recorder(3);
    private Histogram interval;
    private final StatefulRedisConnection<String, String> reader;
    /** Send → emission and emission → readable (µs), over the whole run. */
    private final Histogram toEmission = new ConcurrentHistogram(3);
    private final Histogram toReadable = new ConcurrentHistogram(3);

    FreshnessProbe(String redisUri) {
        client = RedisClient.create(redisUri);
        try (var admin = client.connect()) {
            admin.sync().configSet("notify-keyspace-events", "E$");
        }
        reader = client.connect();
        connection = client.connectPubSub();
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String key) {
                long now = System.nanoTime();
                long wallNow = System.currentTimeMillis();
                Long intended = pending.remove(key);
                if (intended == null) return;
                recorder.recordValue(Math.max(0, now - intended) / 1_000);
                long sentWall = wallNow - (now - intended) / 1_000_000;
                reader.async().get(key).thenAccept(json -> {
                    long emitted = updatedAtMillis(json);
                    if (emitted <= 0) return;
                    toEmission.recordValue(Math.max(0, emitted - sentWall) * 1_000);
                    toReadable.recordValue(Math.max(0, wallNow - emitted) * 1_000);
                });
            }
        });
        connection.sync().subscribe(CHANNEL);
    }

    @Override
    public void sent(SentTrace trace, long intendedNanos) {
        pending.put(RedisKeys.record(CorrelationIds.forTrace(trace.traceId())), intendedNanos);
    }

    /** The latencies (µs) recorded since the last call. */
    synchronized Histogram interval() {
        interval = recorder.getIntervalHistogram(interval);
        return interval.copy();
    }

    /** The record's {@code updated_at} in epoch ms, or 0 when it has none. */
    static long updatedAtMillis(String json) {
        if (json == null) return 0;
        int at = json.indexOf("\"updated_at\":\"");
        if (at < 0) return 0;
        int from = at + "\"updated_at\":\"".length();
        int to = json.indexOf('"', from);
        return to < 0 ? 0 : RecordCodec.parseTime(json.substring(from, to));
    }

    /** Send → emission and emission → readable (µs), per trace, over the whole run (warm-up included). */
    Histogram[] split() {
        return new Histogram[] {toEmission.copy(), toReadable.copy()};
    }

    int pending() {
        return pending.size();
    }

    /**
     * Ends the measurement: traces still unseen are recorded with their age now, a lower bound of their
     * latency (leaving them out would flatter the tail). Returns the last interval (µs) and how many were unseen.
     */
    synchronized Result finish() {
        long now = System.nanoTime();
        int unseen = 0;
        for (var e : pending.entrySet()) {
            if (pending.remove(e.getKey()) != null) {
                recorder.recordValue(Math.max(0, now - e.getValue()) / 1_000);
                unseen++;
            }
        }
        return new Result(interval(), unseen);
    }

    record Result(Histogram micros, int unseen) {}

    @Override
    public void close() {
        reader.close();
        connection.close();
        client.shutdown();
    }
}
