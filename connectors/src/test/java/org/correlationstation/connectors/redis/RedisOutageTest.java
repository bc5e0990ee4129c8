package org.correlationstation.connectors.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.connectors.redis.RedisSinkWriterTest.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
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

/**
 * While Redis is down the writer neither throws nor drops: it retries, a checkpoint's flush waits,
 * a full buffer blocks the input; when Redis is back (same port, empty) everything arrives.
 */
class RedisOutageTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int BATCH = 10;
    private static final int IN_FLIGHT = 2;

    private MailboxThread task;
    private TestWriterContext context;
    private StatefulSinkWriter<CorrelationRecord, ?> writer;

    @BeforeEach
    void setUp() {
        task = new MailboxThread("redis-sink-task");
        context = new TestWriterContext(task);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (task == null) { // skipped: no redis-server
            return;
        }
        REDIS.server().start(); // so that a failed test does not leave the writer retrying forever
        if (writer != null) {
            task.call(() -> {
                writer.close();
                return null;
            }, TIMEOUT);
        }
        assertThat(task.uncaught()).as("what would have failed the task").isNull();
        task.close();
        context.close();
    }

    private StatefulSinkWriter<CorrelationRecord, ?> createWriter() throws Exception {
        RedisSink sink = RedisSink.builder().setRedisUri(REDIS.uri())
                .setMaxBatchSize(BATCH).setMaxInFlightBatches(IN_FLIGHT).setBatchWait(Duration.ofMillis(20))
                .setRetryDelay(Duration.ofMillis(20)).setMaxRetryDelay(Duration.ofMillis(200))
                .setRequestTimeout(Duration.ofSeconds(2)).build();
        writer = task.call(() -> sink.createWriter(context), TIMEOUT);
        return writer;
    }

    private static List<CorrelationRecord> records(int n) {
        List<CorrelationRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(TestRecords.record(TestRecords.newTraceId(), 1 + i, "svc-" + (i % 3)));
        }
        return records;
    }

    private CompletableFuture<Void> writeAll(List<CorrelationRecord> records) {
        return task.run(() -> {
            for (CorrelationRecord r : records) {
                writer.write(r, null);
            }
        });
    }

    private CompletableFuture<Void> checkpointFlush() {
        return task.run(() -> writer.flush(false));
    }

    private long retries() {
        return context.metrics().getCounter("correlation", "redis_retries").map(Counter::getCount).orElse(0L);
    }

    /** Waits until the writer has failed {@code n} more attempts: it is really trying, and failing. */
    private void awaitRetries(long n) {
        long target = retries() + n;
        await(() -> retries() >= target, TIMEOUT, n + " failed attempts");
    }

    private static void assertAllStored(List<CorrelationRecord> records) {
        RedisClient client = RedisClient.create(REDIS.uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            var redis = connection.sync();
            for (CorrelationRecord r : records) {
                assertThat(redis.get(RedisKeys.record(r.correlationId))).isEqualTo(RecordCodec.toJson(r));
                assertThat(redis.get(RedisKeys.trace(r.traceId))).isEqualTo(r.correlationId);
            }
            assertThat(redis.zcard(RedisKeys.TIME_INDEX)).isEqualTo(records.size());
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCheckpointWaitsThroughAnOutageAndNothingIsLost() throws Exception {
        createWriter();
        List<CorrelationRecord> before = records(5);
        writeAll(before).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        checkpointFlush().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS); // connected, and working

        REDIS.server().stop();
        List<CorrelationRecord> during = records(25); // fits the buffer plus the batches in flight
        writeAll(during).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS); // does not throw, does not block
        CompletableFuture<Void> flush = checkpointFlush();
        awaitRetries(3);
        assertThat(flush).as("a checkpoint flush while Redis is down").isNotDone();

        REDIS.server().start();
        flush.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        // The restarted server is empty: exactly what was written during the outage is there.
        assertAllStored(during);
    }

    /**
     * Two closing emissions of one trace with equal progress but different content (an inferred link
     * decided after the close): the compare-and-set writes ties, so only the order of delivery keeps
     * the newer one. Through an outage and its retries, the newer one must still be what is stored.
     */
    @Test
    void aTraceEmissionsLandInOrderThroughAnOutage() throws Exception {
        RedisSink sink = RedisSink.builder().setRedisUri(REDIS.uri()) // default: one batch in flight
                .setMaxBatchSize(1).setBatchWait(Duration.ofMillis(5))
                .setRetryDelay(Duration.ofMillis(20)).setMaxRetryDelay(Duration.ofMillis(100))
                .setRequestTimeout(Duration.ofSeconds(2)).build();
        writer = task.call(() -> sink.createWriter(context), TIMEOUT);
        CorrelationRecord older = TestRecords.record(TestRecords.newTraceId(), 3, "checkout");
        older.status = CorrelationRecord.CLOSED;
        older.version = 2;
        CorrelationRecord newer = TestRecords.copy(older);
        newer.version = 3;
        newer.links.add(new CorrelationRecord.Link("00f067aa0ba902b7", "GET /checkout", "checkout", 1, 1));

        REDIS.server().stop();
        writeAll(List.of(older)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        awaitRetries(2);
        writeAll(List.of(newer)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        CompletableFuture<Void> flushed = checkpointFlush();
        awaitRetries(2);
        REDIS.server().start();
        flushed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertAllStored(List.of(newer));
    }

    @Test
    void aWriterStartsWhileRedisIsDownAndCatchesUp() throws Exception {
        REDIS.server().stop();
        createWriter();
        List<CorrelationRecord> records = records(7);
        writeAll(records).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        CompletableFuture<Void> flush = checkpointFlush();
        awaitRetries(2);
        assertThat(flush).isNotDone();

        REDIS.server().start();
        flush.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        assertAllStored(records);
    }

    @Test
    void aFullBufferBlocksTheInputUntilRedisIsBack() throws Exception {
        createWriter();
        REDIS.server().stop();
        // More than the buffer (2 batches) plus the batches in flight can hold.
        List<CorrelationRecord> records = records(BATCH * 2 + BATCH * IN_FLIGHT + 5);
        CompletableFuture<Void> writes = writeAll(records);
        awaitRetries(3);
        assertThat(writes).as("writing into a full buffer (backpressure)").isNotDone();

        REDIS.server().start();
        writes.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        checkpointFlush().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        assertAllStored(records);
    }
}
