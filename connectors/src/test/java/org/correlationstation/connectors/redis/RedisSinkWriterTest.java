package org.correlationstation.connectors.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.metrics.Counter;
import org.correlationstation.connectors.testutil.MailboxThread;
import org.correlationstation.core.testing.RedisServerExtension;
import org.correlationstation.connectors.testutil.TestWriterContext;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sink end to end through its writer, driven on a mailbox thread as in a Flink task. */
class RedisSinkWriterTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration TTL = Duration.ofSeconds(120);

    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;
    private MailboxThread task;
    private TestWriterContext context;
    private final List<StatefulSinkWriter<CorrelationRecord, BufferedRequestState<RedisRecordWrite>>> writers =
            new ArrayList<>();

    @BeforeEach
    void setUp() {
        client = RedisClient.create(REDIS.uri());
        connection = client.connect();
        redis = connection.sync();
        task = new MailboxThread("redis-sink-task");
        context = new TestWriterContext(task);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (task == null) { // skipped: no redis-server
            return;
        }
        for (var writer : writers) {
            task.call(() -> {
                writer.close();
                return null;
            }, TIMEOUT);
        }
        assertThat(task.uncaught()).as("what would have failed the task").isNull();
        task.close();
        context.close();
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private RedisSinkBuilder sink() {
        return RedisSink.builder().setRedisUri(REDIS.uri()).setRecordTtl(TTL).setMaxBatchSize(100)
                // long enough that only flush() or a full batch sends, unless a test says otherwise
                .setBatchWait(Duration.ofMinutes(5));
    }

    private StatefulSinkWriter<CorrelationRecord, BufferedRequestState<RedisRecordWrite>> writer(RedisSink sink)
            throws Exception {
        var writer = task.call(() -> sink.createWriter(context), TIMEOUT);
        writers.add(writer);
        return writer;
    }

    private void write(StatefulSinkWriter<CorrelationRecord, ?> writer, CorrelationRecord... records) throws Exception {
        task.call(() -> {
            for (CorrelationRecord r : records) {
                writer.write(r, null);
            }
            return null;
        }, TIMEOUT);
    }

    private void flush(StatefulSinkWriter<CorrelationRecord, ?> writer) throws Exception {
        task.call(() -> {
            writer.flush(false); // as at a checkpoint
            return null;
        }, TIMEOUT);
    }

    private long counter(String... path) {
        return context.metrics().getCounter(path).map(Counter::getCount).orElseThrow(
                () -> new AssertionError("no counter " + String.join(".", path)));
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    @Test
    void writesRecordsAndIndexes() throws Exception {
        var writer = writer(sink().build());
        CorrelationRecord plain = TestRecords.record(TestRecords.newTraceId(), 2, "checkout", "gateway");
        CorrelationRecord failing = TestRecords.record(TestRecords.newTraceId(), 3, "payments");
        failing.firstSeen = RecordCodec.formatTime(TestRecords.FIRST_SEEN + 5_000);
        failing.errorSpanCount = 1;
        failing.hasError = true;

        write(writer, plain, failing);
        flush(writer);

        for (CorrelationRecord r : List.of(plain, failing)) {
            assertThat(redis.get(RedisKeys.record(r.correlationId))).isEqualTo(RecordCodec.toJson(r));
            assertThat(redis.get(RedisKeys.trace(r.traceId))).isEqualTo(r.correlationId);
            assertThat(redis.zscore(RedisKeys.TIME_INDEX, r.correlationId))
                    .isEqualTo((double) RecordCodec.parseTime(r.firstSeen));
            for (String service : r.services) {
                assertThat(redis.zscore(RedisKeys.service(service), r.correlationId))
                        .isEqualTo((double) RecordCodec.parseTime(r.firstSeen));
            }
        }
        assertThat(redis.zrangeWithScores(RedisKeys.ERRORS_INDEX, 0, -1)).extracting(ScoredValue::getValue)
                .containsExactly(failing.correlationId);
        assertThat(redis.zrange(RedisKeys.service("checkout"), 0, -1)).containsExactly(plain.correlationId);
        assertThat(redis.zrange(RedisKeys.service("payments"), 0, -1)).containsExactly(failing.correlationId);
        assertThat(redis.smembers(RedisKeys.indexesOf(failing.correlationId))).containsExactlyInAnyOrder(
                RedisKeys.TIME_INDEX, RedisKeys.service("payments"), RedisKeys.ERRORS_INDEX);
        assertThat(redis.zscore(RedisKeys.EXPIRIES, plain.correlationId)).isGreaterThan(System.currentTimeMillis());
        for (String index : List.of(RedisKeys.TIME_INDEX, RedisKeys.ERRORS_INDEX, RedisKeys.service("checkout"),
                RedisKeys.service("gateway"), RedisKeys.service("payments"))) {
            assertThat(redis.pttl(index)).as("TTL of " + index).isPositive().isLessThanOrEqualTo(TTL.toMillis());
        }
        assertThat(redis.pttl(RedisKeys.indexesOf(plain.correlationId))).isGreaterThan(TTL.toMillis());
        assertThat(counter("correlation", "result", "ok", "redis_operations")).isEqualTo(2);
        assertThat(context.metrics().getHistogram("correlation", "redis_operation_duration")).isPresent()
                .get().matches(h -> h.getCount() >= 1);
    }

    @Test
    void flushReturnsOnlyWhenEverythingIsInRedis() throws Exception {
        var writer = writer(sink().build());
        List<CorrelationRecord> records = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            records.add(TestRecords.record(TestRecords.newTraceId(), 1 + i));
        }

        write(writer, records.toArray(CorrelationRecord[]::new));
        flush(writer);

        // No waiting here: flush returned, so every record must be there already.
        assertThat(redis.zcard(RedisKeys.TIME_INDEX)).isEqualTo(250);
        for (CorrelationRecord r : records) {
            assertThat(redis.get(RedisKeys.record(r.correlationId))).isEqualTo(RecordCodec.toJson(r));
        }
    }

    @Test
    void aPartialBatchWaitsForTheBatchWait() throws Exception {
        var writer = writer(sink().setBatchWait(Duration.ofMillis(50)).build());
        CorrelationRecord r = TestRecords.record(TestRecords.newTraceId(), 1);

        write(writer, r);

        await(() -> redis.exists(RedisKeys.record(r.correlationId)) == 1, TIMEOUT, "the batch-wait timer to send");
    }

    @Test
    void keepsOnlyTheMostAdvancedRecordPerCorrelationInABatch() throws Exception {
        var writer = writer(sink().build());
        String trace = TestRecords.newTraceId();
        CorrelationRecord first = TestRecords.record(trace, 1);
        CorrelationRecord most = TestRecords.record(trace, 3);
        most.version = 3;
        CorrelationRecord older = TestRecords.record(trace, 2);
        older.version = 2;

        write(writer, first, most, older);
        flush(writer);

        assertThat(redis.get(RedisKeys.record(most.correlationId))).isEqualTo(RecordCodec.toJson(most));
        assertThat(counter("correlation", "result", "ok", "redis_operations")).isEqualTo(1);
        assertThat(counter("correlation", "result", "rejected", "redis_operations")).isZero();
    }

    @Test
    void countsRecordsThatRedisHeldNewerVersionsOf() throws Exception {
        var writer = writer(sink().build());
        String trace = TestRecords.newTraceId();
        CorrelationRecord newer = TestRecords.record(trace, 9);
        write(writer, newer);
        flush(writer);

        write(writer, TestRecords.record(trace, 2));
        flush(writer);

        assertThat(redis.get(RedisKeys.record(newer.correlationId))).isEqualTo(RecordCodec.toJson(newer));
        assertThat(counter("correlation", "result", "rejected", "redis_operations")).isEqualTo(1);
    }

    /** Stale writes (replays after a restore) must not keep postponing the expiries the trimmer waits for. */
    @Test
    void aRejectedWriteRefreshesNoKeyOrIndex() throws Exception {
        String trace = TestRecords.newTraceId();
        String service = "svc-" + trace;
        CorrelationRecord newer = TestRecords.record(trace, 9, service);
        var first = writer(sink().build());
        write(first, newer);
        flush(first);
        String cid = newer.correlationId;
        assertThat(redis.exists(RedisKeys.trace(trace))).isEqualTo(1);
        redis.del(RedisKeys.trace(trace));
        redis.zrem(RedisKeys.EXPIRIES, cid);
        redis.pexpire(RedisKeys.service(service), 60_000);

        var restarted = writer(sink().build()); // remembers nothing it indexed
        write(restarted, TestRecords.record(trace, 2, service));
        flush(restarted);

        assertThat(redis.get(RedisKeys.record(cid))).isEqualTo(RecordCodec.toJson(newer)); // rejected
        assertThat(redis.exists(RedisKeys.trace(trace))).isZero();
        assertThat(redis.zscore(RedisKeys.EXPIRIES, cid)).isNull();
        assertThat(redis.pttl(RedisKeys.service(service))).isLessThanOrEqualTo(60_000);

        CorrelationRecord newest = TestRecords.record(trace, 10, service);
        write(restarted, newest);
        flush(restarted);
        assertThat(redis.get(RedisKeys.trace(trace))).isEqualTo(cid);
        assertThat(redis.zscore(RedisKeys.EXPIRIES, cid)).isNotNull();
        assertThat(redis.pttl(RedisKeys.service(service))).isGreaterThan(60_000);
    }

    @Test
    void anIndexKeepsTheMostAdvancedFirstSeenWhateverTheOrderOfWrites() throws Exception {
        var writer = writer(sink().build());
        String trace = TestRecords.newTraceId();
        CorrelationRecord advanced = TestRecords.record(trace, 5);
        advanced.firstSeen = RecordCodec.formatTime(TestRecords.FIRST_SEEN - 60_000); // an earlier span arrived
        write(writer, advanced);
        flush(writer);

        write(writer, TestRecords.record(trace, 1)); // a late replay of an older emission
        flush(writer);

        assertThat(redis.zscore(RedisKeys.TIME_INDEX, advanced.correlationId))
                .isEqualTo((double) (TestRecords.FIRST_SEEN - 60_000));
    }

    @Test
    void bufferedRecordsSurviveACheckpointRestore() throws Exception {
        RedisSink sink = sink().build();
        var writer = writer(sink);
        CorrelationRecord a = TestRecords.record(TestRecords.newTraceId(), 1);
        CorrelationRecord b = TestRecords.record(TestRecords.newTraceId(), 2, "big-" + "x".repeat(70_000));
        write(writer, a, b);
        // The buffer as a checkpoint would hold it had the writer not flushed first.
        var state = task.call(() -> writer.snapshotState(1), TIMEOUT);
        var serializer = sink.getWriterStateSerializer();
        var restoredState = serializer.deserialize(serializer.getVersion(), serializer.serialize(state.get(0)));
        assertThat(redis.exists(RedisKeys.record(a.correlationId))).isZero();

        var restored = task.call(() -> sink.restoreWriter(context, List.of(restoredState)), TIMEOUT);
        writers.add(restored);
        flush(restored);

        assertThat(redis.get(RedisKeys.record(a.correlationId))).isEqualTo(RecordCodec.toJson(a));
        assertThat(redis.get(RedisKeys.record(b.correlationId))).isEqualTo(RecordCodec.toJson(b));
    }

    @Test
    void aCheckpointLeavesNothingBuffered() throws Exception {
        var writer = writer(sink().build());
        write(writer, TestRecords.record(TestRecords.newTraceId(), 1));

        flush(writer);

        var state = task.call(() -> writer.snapshotState(1), TIMEOUT);
        assertThat(state).allSatisfy(s -> assertThat(s.getBufferedRequestEntries()).isEmpty());
    }
}
