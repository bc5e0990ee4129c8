package org.correlationstation.connectors.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.connectors.redis.RedisSinkWriterTest.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.correlationstation.connectors.testutil.MailboxThread;
import org.correlationstation.core.testing.RedisServerExtension;
import org.correlationstation.connectors.testutil.TestWriterContext;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.redis.RedisKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Index entries of expired records go away; those of live records stay (SPEC §5). */
class RedisIndexTrimmerTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void connect() {
        client = RedisClient.create(REDIS.uri());
        connection = client.connect();
        redis = connection.sync();
    }

    @AfterEach
    void disconnect() {
        if (connection == null) { // skipped: no redis-server
            return;
        }
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private void store(Duration ttl, long nowMillis, CorrelationRecord... records) throws Exception {
        RedisSinkOptions options = RedisSink.builder().setRedisUri(REDIS.uri()).setRecordTtl(ttl)
                .setIndexTrimInterval(Duration.ofSeconds(1)).buildOptions();
        List<RedisRecordWrite> writes = java.util.Arrays.stream(records).map(RedisRecordWrite::of).toList();
        new RecordBatchWriter(new CasScript(), options).write(connection.async(), writes, nowMillis)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static CorrelationRecord failing(CorrelationRecord r) {
        r.hasError = true;
        r.errorLogCount = 1;
        return r;
    }

    private void assertIndexed(CorrelationRecord r, boolean indexed) {
        List<String> keys = List.of(RedisKeys.TIME_INDEX, RedisKeys.ERRORS_INDEX, RedisKeys.service("checkout"),
                RedisKeys.service("shortlived"));
        for (String key : keys) {
            if (!indexed) {
                assertThat(redis.zscore(key, r.correlationId)).as(r.correlationId + " in " + key).isNull();
            }
        }
        if (indexed) {
            assertThat(redis.zscore(RedisKeys.TIME_INDEX, r.correlationId)).as("in the time index").isNotNull();
        }
    }

    @Test
    void expiredRecordsLeaveEveryIndexAndLiveOnesStay() throws Exception {
        CorrelationRecord gone1 = failing(TestRecords.record(TestRecords.newTraceId(), 1, "checkout", "shortlived"));
        CorrelationRecord gone2 = TestRecords.record(TestRecords.newTraceId(), 1, "shortlived");
        CorrelationRecord live = failing(TestRecords.record(TestRecords.newTraceId(), 1, "checkout"));
        store(Duration.ofSeconds(1), System.currentTimeMillis(), gone1, gone2);
        store(Duration.ofMinutes(5), System.currentTimeMillis(), live);
        await(() -> redis.exists(RedisKeys.record(gone1.correlationId), RedisKeys.record(gone2.correlationId)) == 0,
                TIMEOUT, "the short-lived records to expire");

        int pruned = new IndexTrimmer(connection.async(), 1).trimDue(System.currentTimeMillis())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(pruned).isEqualTo(2);
        assertIndexed(gone1, false);
        assertIndexed(gone2, false);
        assertThat(redis.zscore(RedisKeys.EXPIRIES, gone1.correlationId)).isNull();
        assertThat(redis.exists(RedisKeys.indexesOf(gone1.correlationId))).isZero();
        assertIndexed(live, true);
        assertThat(redis.zscore(RedisKeys.ERRORS_INDEX, live.correlationId)).isNotNull();
        assertThat(redis.zscore(RedisKeys.service("checkout"), live.correlationId)).isNotNull();
        assertThat(redis.zscore(RedisKeys.EXPIRIES, live.correlationId)).isNotNull();
    }

    @Test
    void aDueRecordThatStillExistsIsRescheduledNotPruned() throws Exception {
        CorrelationRecord r = TestRecords.record(TestRecords.newTraceId(), 1);
        long tenMinutesAgo = System.currentTimeMillis() - 600_000;
        store(Duration.ofMinutes(5), tenMinutesAgo, r); // bookkeeping says it expired five minutes ago

        long now = System.currentTimeMillis();
        int pruned = new IndexTrimmer(connection.async(), 10).trimDue(now).toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(pruned).isZero();
        assertIndexed(r, true);
        assertThat(redis.zscore(RedisKeys.EXPIRIES, r.correlationId)).isGreaterThan((double) now);
    }

    /**
     * A page of many ids on a connection that writes only when flushed (as the sink's): each id ends where it
     * should, and the page takes one ZREM per index, not one per id and index.
     */
    @Test
    void aPageOfManyIdsTakesOneRemovalPerIndex() throws Exception {
        redis.flushall(); // no other test's due ids in the page
        List<CorrelationRecord> gone = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            CorrelationRecord r = TestRecords.record(TestRecords.newTraceId(), 1, "svc-" + (i % 5), "shortlived");
            gone.add(i % 2 == 0 ? failing(r) : r);
        }
        CorrelationRecord live = TestRecords.record(TestRecords.newTraceId(), 1, "svc-0");
        CorrelationRecord persisted = TestRecords.record(TestRecords.newTraceId(), 1, "svc-1");
        store(Duration.ofSeconds(1), System.currentTimeMillis(), gone.toArray(CorrelationRecord[]::new));
        store(Duration.ofMinutes(5), System.currentTimeMillis() - 600_000, live, persisted); // due five minutes ago
        redis.persist(RedisKeys.record(persisted.correlationId));
        await(() -> gone.stream().noneMatch(r -> redis.exists(RedisKeys.record(r.correlationId)) > 0), TIMEOUT,
                "the short-lived records to expire");
        redis.configResetstat();

        StatefulRedisConnection<String, String> manual = client.connect();
        try {
            manual.setAutoFlushCommands(false);
            long now = System.currentTimeMillis();
            int pruned = new IndexTrimmer(manual.async(), manual::flushCommands, 100).trimDue(now)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertThat(pruned).isEqualTo(gone.size());
            for (CorrelationRecord r : gone) {
                assertIndexed(r, false);
                for (int s = 0; s < 5; s++) assertThat(redis.zscore(RedisKeys.service("svc-" + s), r.correlationId)).isNull();
                assertThat(redis.zscore(RedisKeys.EXPIRIES, r.correlationId)).isNull();
                assertThat(redis.exists(RedisKeys.indexesOf(r.correlationId))).isZero();
            }
            assertIndexed(live, true);
            assertThat(redis.zscore(RedisKeys.service("svc-0"), live.correlationId)).isNotNull();
            assertThat(redis.zscore(RedisKeys.EXPIRIES, live.correlationId)).as("rescheduled").isGreaterThan((double) now);
            assertIndexed(persisted, true);
            assertThat(redis.zscore(RedisKeys.EXPIRIES, persisted.correlationId)).as("no expiry: not watched").isNull();
            // time, errors, shortlived and svc-0..4, and the bookkeeping's corr:expiries (removals and unwatched)
            assertThat(commandCalls("zrem")).isBetween(1L, 10L);
        } finally {
            manual.close();
        }
    }

    /** How many times Redis ran {@code command} since its statistics were reset. */
    private long commandCalls(String command) {
        for (String line : redis.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":")) {
                return Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
            }
        }
        return 0;
    }

    @Test
    void pruneIfMissingRemovesOnlyMissingRecords() throws Exception {
        CorrelationRecord missing = TestRecords.record(TestRecords.newTraceId(), 1, "checkout");
        CorrelationRecord present = TestRecords.record(TestRecords.newTraceId(), 1, "checkout");
        store(Duration.ofMinutes(5), System.currentTimeMillis(), missing, present);
        redis.del(RedisKeys.record(missing.correlationId));
        IndexTrimmer trimmer = new IndexTrimmer(connection.async(), 10);

        assertThat(trimmer.pruneIfMissing(missing.correlationId).toCompletableFuture().get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(trimmer.pruneIfMissing(present.correlationId).toCompletableFuture().get(10, TimeUnit.SECONDS)).isFalse();

        assertIndexed(missing, false);
        assertIndexed(present, true);
        assertThat(redis.zscore(RedisKeys.service("checkout"), present.correlationId)).isNotNull();
    }

    @Test
    void theFirstSubtasksWriterTrimsOnItsOwn() throws Exception {
        CorrelationRecord r = TestRecords.record(TestRecords.newTraceId(), 1, "shortlived");
        try (MailboxThread task = new MailboxThread("redis-sink-task");
                TestWriterContext context = new TestWriterContext(task, 0, 2)) {
            RedisSink sink = RedisSink.builder().setRedisUri(REDIS.uri()).setRecordTtl(Duration.ofSeconds(1))
                    .setIndexTrimInterval(Duration.ofMillis(200)).build();
            var writer = task.call(() -> sink.createWriter(context), TIMEOUT);
            task.call(() -> {
                writer.write(r, null);
                writer.flush(false);
                return null;
            }, TIMEOUT);
            assertIndexed(r, true);

            await(() -> redis.zscore(RedisKeys.TIME_INDEX, r.correlationId) == null, TIMEOUT,
                    "the writer's trimmer to remove the expired record");

            assertIndexed(r, false);
            task.call(() -> {
                writer.close();
                return null;
            }, TIMEOUT);
        }
    }
}
