package org.correlationstation.connectors.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.correlationstation.connectors.testutil.MailboxThread;
import org.correlationstation.connectors.testutil.TestWriterContext;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;

/**
 * A Redis sink writer on a task thread of its own, as the failover tests drive it: records written and
 * flushed as at a checkpoint, fast retries, {@code REDIS_WAIT_REPLICAS} as given.
 */
final class SinkWriterFixture implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final MailboxThread task = new MailboxThread("redis-sink-task");
    private final TestWriterContext context = new TestWriterContext(task);
    private final StatefulSinkWriter<CorrelationRecord, BufferedRequestState<RedisRecordWrite>> writer;

    SinkWriterFixture(String redisUrl, int waitReplicas) throws Exception {
        RedisSink sink = RedisSink.builder().setRedisUri(redisUrl).setRecordTtl(Duration.ofSeconds(600))
                .setMaxBatchSize(50).setBatchWait(Duration.ofMinutes(5)).setRetryDelay(Duration.ofMillis(100))
                .setMaxRetryDelay(Duration.ofMillis(500)).setRequestTimeout(Duration.ofSeconds(2))
                .setWaitReplicas(waitReplicas).build();
        writer = task.call(() -> sink.createWriter(context), TIMEOUT);
    }

    /** Writes the records, then flushes as at a checkpoint: completes once Redis acknowledged them all. */
    CompletableFuture<Void> writeAndFlush(List<CorrelationRecord> records) {
        return task.run(() -> {
            for (CorrelationRecord r : records) writer.write(r, null);
            writer.flush(false);
        });
    }

    static List<CorrelationRecord> records(int n, String... services) {
        List<CorrelationRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(TestRecords.record(TestRecords.newTraceId(), 1 + i % 7, services));
        return out;
    }

    /** Each record stored as written, and its trace key pointing at it ({@code get}: a Redis GET). */
    static void assertStored(List<CorrelationRecord> records, UnaryOperator<String> get) {
        for (CorrelationRecord r : records) {
            assertThat(get.apply(RedisKeys.record(r.correlationId))).as(r.traceId).isEqualTo(RecordCodec.toJson(r));
            assertThat(get.apply(RedisKeys.trace(r.traceId))).isEqualTo(r.correlationId);
        }
    }

    /** {@link #assertStored}, retried for up to 30 s with {@code refresh} between tries (a reader's stale view). */
    static void awaitStored(List<CorrelationRecord> records, Runnable refresh, UnaryOperator<String> get) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                assertStored(records, get);
                return;
            } catch (AssertionError | RuntimeException e) {
                if (System.nanoTime() > deadline) throw e;
                refresh.run();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        }
    }

    @Override
    public void close() throws Exception {
        task.call(() -> {
            writer.close();
            return null;
        }, TIMEOUT);
        task.close();
        context.close();
    }
}
