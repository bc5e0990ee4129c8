package org.correlationstation.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.correlationstation.api.store.StoreTestRecords.BASE;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.correlationstation.connectors.redis.CasScript;
import org.correlationstation.connectors.redis.RecordBatchWriter;
import org.correlationstation.connectors.redis.RedisRecordWrite;
import org.correlationstation.connectors.redis.RedisSink;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.redis.RedisKeys;
import org.correlationstation.core.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared contract against a real redis-server, seeded through the job's own writer
 * ({@link RecordBatchWriter} + {@link CasScript}: the sink's code path), plus TTL, pruning and outages.
 */
class RedisCorrelationStoreTest extends CorrelationStoreContract {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration DEADLINE = Duration.ofSeconds(15);

    private RedisClient seedClient;
    private StatefulRedisConnection<String, String> seedConnection;
    private RedisCommands<String, String> redis;
    private RedisCorrelationStore store;

    @BeforeEach
    void connect() {
        seedClient = RedisClient.create(REDIS.uri());
        seedConnection = seedClient.connect();
        redis = seedConnection.sync();
        store = RedisCorrelationStore.create(REDIS.uri(), Duration.ofSeconds(1), Duration.ofMillis(200));
    }

    @AfterEach
    void disconnect() {
        if (store != null) store.close();
        if (seedConnection != null) seedConnection.close();
        if (seedClient != null) seedClient.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @Override
    protected CorrelationStore store() {
        return store;
    }

    @Override
    protected void seed(List<CorrelationRecord> records) throws Exception {
        seed(records, Duration.ofHours(1));
    }

    private void seed(List<CorrelationRecord> records, Duration ttl) throws Exception {
        var options = RedisSink.builder().setRedisUri(REDIS.uri()).setRecordTtl(ttl).buildOptions();
        List<RedisRecordWrite> writes = records.stream().map(RedisRecordWrite::of).toList();
        new RecordBatchWriter(new CasScript(), options)
                .write(seedConnection.async(), RecordBatchWriter.latestPerCorrelation(writes), System.currentTimeMillis())
                .toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static void waitFor(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    @Test
    void answersPageByPageLikeTheMemoryStore() throws Exception {
        StoreTestRecords gen = new StoreTestRecords(20);
        List<CorrelationRecord> all = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            all.add(gen.record(BASE + (i % 13) * 10L, i % 4 == 0 ? "closed" : "open", i % 6 == 0,
                    i % 2 == 0 ? new String[] {"checkout", "gateway"} : new String[] {"gateway"}));
        }
        seed(all);
        InMemoryCorrelationStore memory = new InMemoryCorrelationStore(Duration.ofHours(1), 10_000);
        all.forEach(memory::put);
        List<CorrelationQuery> queries = List.of(
                new CorrelationQuery(null, null, null, null, null, 7, null),
                new CorrelationQuery("checkout", BASE + 20, BASE + 110, null, null, 7, null),
                new CorrelationQuery(null, null, null, "closed", true, 3, null),
                new CorrelationQuery("gateway", null, null, "open", false, 1, null));
        for (CorrelationQuery first : queries) {
            CorrelationQuery q = first;
            do {
                Page fromRedis = await(store.query(q));
                Page fromMemory = await(memory.query(q));
                assertThat(StoreTestRecords.ids(fromRedis.items())).isEqualTo(StoreTestRecords.ids(fromMemory.items()));
                assertThat(fromRedis.next()).isEqualTo(fromMemory.next());
                q = new CorrelationQuery(q.service(), q.sinceMillis(), q.untilMillis(), q.status(), q.hasError(),
                        q.limit(), fromRedis.next());
            } while (q.cursor() != null);
        }
    }

    @Test
    void expiredRecordsDisappearAndListingsSkipAndPruneTheirIndexEntries() throws Exception {
        StoreTestRecords gen = new StoreTestRecords(21);
        List<CorrelationRecord> shortLived = new ArrayList<>();
        for (int i = 0; i < 5; i++) shortLived.add(gen.record(BASE + 100 + i, "open", true, "checkout", "ephemeral"));
        List<CorrelationRecord> longLived = List.of(gen.record(BASE, "open", true, "checkout"),
                gen.record(BASE + 50, "closed", true, "checkout"));
        // Short-lived first: the writer sets each touched index key's expiry to its batch's TTL, and
        // the next (long-lived) batch must refresh them before the short TTL runs out.
        seed(shortLived, Duration.ofSeconds(1));
        seed(longLived);
        assertThat(await(store.byTraceId(shortLived.get(0).traceId))).isPresent();

        waitFor("short-lived records to expire",
                () -> shortLived.stream().allMatch(r -> redis.exists(RedisKeys.record(r.correlationId)) == 0));
        assertThat(await(store.byTraceId(shortLived.get(0).traceId))).isEmpty();
        assertThat(await(store.byCorrelationId(shortLived.get(1).correlationId))).isEmpty();
        // The indexes still hold them (no trimmer runs here) until a listing meets them.
        assertThat(redis.zscore(RedisKeys.TIME_INDEX, shortLived.get(2).correlationId)).isNotNull();

        List<String> want = StoreTestRecords.ids(List.of(longLived.get(1), longLived.get(0)));
        assertThat(pageThrough("checkout", null, null, null, true, 1, () -> {})).isEqualTo(want);
        assertThat(pageThrough(null, null, null, null, null, 100, () -> {})).isEqualTo(want);

        waitFor("index entries of expired records to be pruned", () -> shortLived.stream().allMatch(r ->
                redis.zscore(RedisKeys.TIME_INDEX, r.correlationId) == null
                        && redis.zscore(RedisKeys.ERRORS_INDEX, r.correlationId) == null
                        && redis.zscore(RedisKeys.service("checkout"), r.correlationId) == null
                        && redis.exists(RedisKeys.indexesOf(r.correlationId)) == 0));
        assertThat(redis.zcard(RedisKeys.TIME_INDEX)).isEqualTo(2);
        assertThat(store.prunedEntries()).isEqualTo(5);
    }

    @Test
    void failsFastWhileRedisIsDownAndRecoversWithoutRestart() throws Exception {
        StoreTestRecords gen = new StoreTestRecords(22);
        CorrelationRecord r = gen.record(BASE, "open", false, "checkout");
        seed(List.of(r));
        await(store.ping());
        assertThat(await(store.byTraceId(r.traceId))).isPresent();

        REDIS.server().stop();
        assertFailsWithin(store.ping(), Duration.ofSeconds(5));
        assertFailsWithin(store.query(new CorrelationQuery(null, null, null, null, null, 10, null)), Duration.ofSeconds(5));
        assertFailsWithin(store.byCorrelationId(r.correlationId), Duration.ofSeconds(5));

        REDIS.server().start(); // empty again: persistence is off
        // on every one of its connections (calls take them in turn; each reconnects on its own)
        waitFor("the same store to answer PING again", () -> {
            try {
                for (int i = 0; i < store.connectionCount(); i++) {
                    store.ping().get(5, TimeUnit.SECONDS);
                }
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        seedConnection.close();
        seedConnection = seedClient.connect();
        redis = seedConnection.sync();
        seed(List.of(r));
        Page page = await(store.query(new CorrelationQuery(null, null, null, null, null, 10, null)));
        assertThat(StoreTestRecords.ids(page.items())).containsExactly(r.correlationId);
    }

    @Test
    void aStoreCreatedWhileRedisIsDownConnectsLater() throws Exception {
        REDIS.server().stop();
        try (RedisCorrelationStore late = RedisCorrelationStore.create(REDIS.uri(), Duration.ofSeconds(1), Duration.ofMillis(200))) {
            assertFailsWithin(late.ping(), Duration.ofSeconds(5));
            REDIS.server().start();
            waitFor("the store to connect", () -> {
                try {
                    late.ping().get(5, TimeUnit.SECONDS);
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    private static void assertFailsWithin(CompletableFuture<?> future, Duration within) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> future.get(within.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(within);
    }
}
