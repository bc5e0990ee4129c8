package org.correlationstation.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.api.store.StoreTestRecords.BASE;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;
import org.correlationstation.core.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lookup fast path against a real redis-server: stored JSON served as stored, a trace key that
 * points elsewhere than the derived id, values the codec did not write, and the connection count.
 */
class RedisLookupTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private RedisClient seedClient;
    private StatefulRedisConnection<String, String> seedConnection;
    private RedisCommands<String, String> redis;
    private final List<RedisCorrelationStore> stores = new ArrayList<>();

    @BeforeEach
    void connect() {
        seedClient = RedisClient.create(REDIS.uri());
        seedConnection = seedClient.connect();
        redis = seedConnection.sync();
        redis.flushall();
    }

    @AfterEach
    void disconnect() {
        stores.forEach(RedisCorrelationStore::close);
        seedConnection.close();
        seedClient.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private RedisCorrelationStore store(int maxConnections) {
        RedisCorrelationStore s = RedisCorrelationStore.create(REDIS.uri(), Duration.ofSeconds(2), Duration.ofMillis(200),
                maxConnections);
        stores.add(s);
        return s;
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static String text(Optional<byte[]> json) {
        return new String(json.orElseThrow(), StandardCharsets.UTF_8);
    }

    @Test
    void servesTheStoredJsonByteForByteByTraceAndById() throws Exception {
        CorrelationRecord r = StoreTestRecords.record(new StoreTestRecords(1).traceId(), BASE, "closed", true, "checkout");
        String json = RecordCodec.toJson(r);
        redis.set(RedisKeys.record(r.correlationId), json);
        redis.set(RedisKeys.trace(r.traceId), r.correlationId);
        RedisCorrelationStore store = store(2);

        assertThat(text(await(store.recordJsonByTraceId(r.traceId)))).isEqualTo(json);
        assertThat(text(await(store.recordJsonByCorrelationId(r.correlationId)))).isEqualTo(json);
        assertThat(await(store.byTraceId(r.traceId)).orElseThrow().correlationId).isEqualTo(r.correlationId);
        assertThat(await(store.recordJsonByTraceId(new StoreTestRecords(2).traceId()))).isEmpty();
    }

    @Test
    void followsATraceKeyThatPointsToAnotherIdAndIgnoresTheDerivedOneWithoutATraceKey() throws Exception {
        StoreTestRecords gen = new StoreTestRecords(3);
        CorrelationRecord elsewhere = StoreTestRecords.record(gen.traceId(), BASE, "open", false, "gateway");
        String traceId = gen.traceId();
        // The trace key of `traceId` points to a record under an id not derived from it (the old service did that).
        redis.set(RedisKeys.record(elsewhere.correlationId), RecordCodec.toJson(elsewhere));
        redis.set(RedisKeys.trace(traceId), elsewhere.correlationId);
        // A record under the derived id of a trace without a trace key is not found by trace id (as before).
        CorrelationRecord orphan = StoreTestRecords.record(gen.traceId(), BASE, "open", false, "gateway");
        redis.set(RedisKeys.record(orphan.correlationId), RecordCodec.toJson(orphan));
        RedisCorrelationStore store = store(1);

        assertThat(text(await(store.recordJsonByTraceId(traceId)))).isEqualTo(RecordCodec.toJson(elsewhere));
        assertThat(await(store.byTraceId(traceId)).orElseThrow().correlationId).isEqualTo(elsewhere.correlationId);
        assertThat(await(store.recordJsonByTraceId(orphan.traceId))).isEmpty();
        assertThat(await(store.byTraceId(orphan.traceId))).isEmpty();
    }

    @Test
    void valuesTheCodecDidNotWriteGoThroughTheCodec() throws Exception {
        StoreTestRecords gen = new StoreTestRecords(4);
        CorrelationRecord r = StoreTestRecords.record(gen.traceId(), BASE, "open", false, "gateway");
        // Same record, other field order and spacing: answered in the codec's form.
        String reordered = "{\"trace_id\": \"" + r.traceId + "\", " + RecordCodec.toJson(r).substring(1);
        redis.set(RedisKeys.record(r.correlationId), reordered);
        CorrelationRecord bad = StoreTestRecords.record(gen.traceId(), BASE, "open", false, "gateway");
        redis.set(RedisKeys.record(bad.correlationId), "{\"schema_version\":1,\"correlation_id\":\"" + bad.correlationId);
        RedisCorrelationStore store = store(2);

        assertThat(text(await(store.recordJsonByCorrelationId(r.correlationId)))).isEqualTo(RecordCodec.toJson(r));
        assertThat(await(store.recordJsonByCorrelationId(bad.correlationId))).isEmpty();
    }

    @Test
    void opensAtMostMaxConnectionsAndSpreadsCallsOverThem() throws Exception {
        String before = redis.clientList();
        RedisCorrelationStore one = store(1);
        RedisCorrelationStore two = store(2);
        assertThat(one.connectionCount()).isEqualTo(1);
        assertThat(two.connectionCount()).isEqualTo(2);
        for (int i = 0; i < 10; i++) {
            await(one.ping());
            await(two.ping());
        }
        long opened = redis.clientList().lines().count() - before.lines().count();
        assertThat(opened).isEqualTo(3);
    }
    @Test
    void callsMadeOnAnIoThreadStayOnTheConnectionThatThreadServes() throws Exception {
        CorrelationRecord r = StoreTestRecords.record(new StoreTestRecords(5).traceId(), BASE, "closed", false, "checkout");
        redis.set(RedisKeys.record(r.correlationId), RecordCodec.toJson(r));
        redis.set(RedisKeys.trace(r.traceId), r.correlationId);
        RedisCorrelationStore store = store(2);
        io.netty.channel.EventLoopGroup loops = store.eventLoops();
        try {
            List<io.netty.channel.EventLoop> each = new ArrayList<>();
            loops.forEach(e -> each.add((io.netty.channel.EventLoop) e));
            // First calls open both connections and show which thread serves which.
            for (int i = 0; i < 10; i++) {
                for (io.netty.channel.EventLoop loop : each) lookupOn(loop, store, r.traceId);
            }
            for (io.netty.channel.EventLoop loop : each) {
                java.util.Set<Thread> completedOn = new java.util.HashSet<>();
                for (int i = 0; i < 20; i++) completedOn.add(lookupOn(loop, store, r.traceId));
                // Round-robin would answer half of them on the other connection's thread.
                assertThat(completedOn).hasSize(1);
            }
        } finally {
            store.releaseEventLoops(loops);
        }
    }

    /** A trace lookup called on {@code loop}; the thread its answer completed on. */
    private static Thread lookupOn(io.netty.channel.EventLoop loop, RedisCorrelationStore store, String traceId)
            throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        loop.execute(() -> store.recordJsonByTraceId(traceId).whenComplete((json, e) -> {
            if (e != null) thread.completeExceptionally(e);
            else thread.complete(Thread.currentThread());
        }));
        return await(thread);
    }
}
