package org.correlationstation.connectors.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.correlationstation.connectors.testutil.LokiTestServer;
import org.correlationstation.connectors.testutil.LokiTestServer.Entry;
import org.correlationstation.connectors.testutil.LokiTestServer.Request;
import org.correlationstation.connectors.testutil.MailboxThread;
import org.correlationstation.connectors.testutil.TestWriterContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Loki sink through its writer, on a mailbox thread as in a task, against {@link LokiTestServer}. */
class LokiSinkWriterTest {
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private LokiTestServer loki;
    private MailboxThread task;
    private TestWriterContext context;
    private final List<StatefulSinkWriter<LokiEntry, BufferedRequestState<LokiEntry>>> writers = new ArrayList<>();
    private final ConcurrentLinkedQueue<Rejection> rejections = new ConcurrentLinkedQueue<>();

    record Rejection(List<LokiEntry> batch, String status, String answer) {}

    @BeforeEach
    void setUp() throws Exception {
        loki = LokiTestServer.start();
        task = new MailboxThread("loki-sink-task");
        context = new TestWriterContext(task);
    }

    @AfterEach
    void tearDown() throws Exception {
        loki.close(); // releases held answers, so that nothing is stuck
        for (var writer : writers) {
            task.call(() -> {
                writer.close();
                return null;
            }, TIMEOUT);
        }
        assertThat(task.uncaught()).as("what would have failed the task").isNull();
        task.close();
        context.close();
    }

    private LokiSinkBuilder sink() {
        return LokiSink.builder().setPushUrl(loki.pushUrl()).setMaxBatchSize(100)
                // long enough that only flush() or a full batch sends, unless a test says otherwise
                .setBatchWait(Duration.ofMinutes(5))
                .setRetryAttempts(3)
                .setRetryDelay(Duration.ofMillis(20), Duration.ofMillis(100))
                .setTimeout(Duration.ofSeconds(5))
                .setCircuitBreaker(true, 5, Duration.ofSeconds(60))
                .setRejectedBatchHandler((batch, status, answer) -> {
                    rejections.add(new Rejection(batch, status, answer));
                    return CompletableFuture.completedFuture(null);
                });
    }

    private StatefulSinkWriter<LokiEntry, BufferedRequestState<LokiEntry>> writer(LokiSink sink) throws Exception {
        var writer = task.call(() -> sink.createWriter(context), TIMEOUT);
        writers.add(writer);
        return writer;
    }

    private void write(StatefulSinkWriter<LokiEntry, ?> writer, List<LokiEntry> entries) throws Exception {
        task.call(() -> {
            for (LokiEntry e : entries) {
                writer.write(e, null);
            }
            return null;
        }, TIMEOUT);
    }

    /** flush(false) as at a checkpoint, on the task; the future completes when flush returns. */
    private CompletableFuture<Void> flushAsync(StatefulSinkWriter<LokiEntry, ?> writer) {
        return task.run(() -> writer.flush(false));
    }

    private void flush(StatefulSinkWriter<LokiEntry, ?> writer) throws Exception {
        flushAsync(writer).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    static List<LokiEntry> entries(String service, int n, long firstNanos) {
        List<LokiEntry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new LokiEntry(service, "test", "info", firstNanos + i, service + "-" + i,
                    new java.util.LinkedHashMap<>(Map.of("trace_id", String.format("%032x", i), "http.method", "GET"))));
        }
        return out;
    }

    private long attempts(String status) {
        return context.metrics().getCounter("correlation", "backend", "loki", "status", status, "export_attempts")
                .map(Counter::getCount).orElse(0L);
    }

    @SuppressWarnings("unchecked")
    private int breakerState() {
        Optional<Gauge<Integer>> g = context.metrics().getGauge("correlation", "backend", "loki", "circuit_breaker_state");
        return g.orElseThrow().getValue();
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static List<String> lines(List<Entry> entries) {
        return entries.stream().map(Entry::line).toList();
    }

    private static List<String> lines(List<LokiEntry> entries, boolean unused) {
        return entries.stream().map(e -> e.line).toList();
    }

    @Test
    void deliversWithTenantContentTypeLabelsAndMetadata() throws Exception {
        var writer = writer(sink().setTenant("team-a").build());
        List<LokiEntry> batch = entries("checkout", 250, 1_700_000_000_000_000_000L);

        write(writer, batch);
        flush(writer);

        // flush returned: everything is acknowledged already, no waiting
        assertThat(lines(loki.entries())).containsExactlyInAnyOrderElementsOf(lines(batch, true));
        Request first = loki.requests().get(0);
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.path()).isEqualTo(LokiTestServer.PATH);
        assertThat(first.tenant()).isEqualTo("team-a");
        assertThat(first.contentType()).isEqualTo("application/x-protobuf");
        assertThat(first.contentEncoding()).isNull();
        assertThat(loki.requests()).hasSize(3).allMatch(r -> r.status() == 204 && r.entries().size() <= 100);
        Entry e = loki.entries().get(0);
        assertThat(e.labels()).isEqualTo(Map.of("service_name", "checkout", "deployment_environment", "test",
                "level", "info"));
        assertThat(e.metadata()).containsOnlyKeys("trace_id", "http_method");
        assertThat(attempts("204")).isEqualTo(3);
        assertThat(context.metrics().getHistogram("correlation", "backend", "loki", "export_batch_size"))
                .get().matches(h -> h.getCount() == 3 && h.getStatistics().getMax() == 100);
        assertThat(context.metrics().getHistogram("correlation", "backend", "loki", "export_latency")).isPresent();
        assertThat(context.metrics().getCounter("correlation", "backend", "loki", "loki_truncated_lines"))
                .get().extracting(Counter::getCount).isEqualTo(0L);
        assertThat(breakerState()).isZero();
    }

    @Test
    void aPartialBatchGoesAfterTheBatchWait() throws Exception {
        var writer = writer(sink().setBatchWait(Duration.ofMillis(50)).build());

        write(writer, entries("s", 3, 1));

        loki.awaitEntries(3, TIMEOUT);
    }

    @Test
    void retries500sThenDelivers() throws Exception {
        var writer = writer(sink().setRetryAttempts(5).build());
        loki.failNext(3, 500, null, "internal error");

        write(writer, entries("s", 10, 1));
        flush(writer);

        assertThat(loki.entries()).hasSize(10);
        assertThat(loki.requests()).extracting(Request::status).containsExactly(500, 500, 500, 204);
        assertThat(attempts("500")).isEqualTo(3);
        assertThat(attempts("204")).isEqualTo(1);
        assertThat(rejections).isEmpty();
    }

    @Test
    void honoursRetryAfterOn429() throws Exception {
        var writer = writer(sink().build());
        loki.failNext(1, 429, "1", "ingestion rate limit exceeded");

        write(writer, entries("s", 5, 1));
        flush(writer);

        List<Request> requests = loki.requests();
        assertThat(requests).extracting(Request::status).containsExactly(429, 204);
        long gapMillis = TimeUnit.NANOSECONDS.toMillis(requests.get(1).receivedAtNanos() - requests.get(0).receivedAtNanos());
        assertThat(gapMillis).as("retry waited for Retry-After: 1 s, not the 20 ms backoff").isGreaterThanOrEqualTo(1000);
        assertThat(attempts("429")).isEqualTo(1);
        assertThat(loki.entries()).hasSize(5);
    }

    @Test
    void retriesATimedOutPush() throws Exception {
        var writer = writer(sink().setTimeout(Duration.ofMillis(200)).build());
        loki.setDelay(Duration.ofMillis(700));

        write(writer, entries("s", 4, 1));
        CompletableFuture<Void> flushed = flushAsync(writer);
        await(() -> attempts("timeout") >= 1, TIMEOUT, "a timed-out attempt");
        loki.setDelay(Duration.ZERO);
        flushed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(loki.requests().size()).isGreaterThanOrEqualTo(2);
        assertThat(lines(loki.entries())).contains("s-0", "s-1", "s-2", "s-3");
    }

    @Test
    void connectionRefusedThenBackDeliversEverything() throws Exception {
        var writer = writer(sink().setMaxBatchSize(10).setMaxInFlightBatches(2).build());
        loki.stopListening();
        List<LokiEntry> batch = entries("s", 35, 1);

        write(writer, batch.subList(0, 20)); // two full batches: both slots taken, both failing
        CompletableFuture<Void> flushed = flushAsync(writer);
        await(() -> attempts("connection_error") >= 4, TIMEOUT, "failed connection attempts");
        assertThat(flushed).as("flush waits while Loki is unreachable").isNotDone();
        loki.resume();
        flushed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        write(writer, batch.subList(20, 35));
        flush(writer);

        assertThat(lines(loki.entries())).containsExactlyInAnyOrderElementsOf(lines(batch, true));
    }

    @Test
    void aRejectedBatchGoesToTheHandlerOthersAreDelivered() throws Exception {
        var writer = writer(sink().setMaxBatchSize(2).setMaxInFlightBatches(1).build());
        loki.failNext(1, 400, null, "entry for stream '{service_name=\"s\"}' has timestamp too old");
        List<LokiEntry> batch = entries("s", 6, 1);

        write(writer, batch);
        flush(writer);

        assertThat(rejections).hasSize(1);
        Rejection r = rejections.peek();
        assertThat(r.batch()).containsExactly(batch.get(0), batch.get(1));
        assertThat(r.status()).isEqualTo("400");
        assertThat(r.answer()).isEqualTo("entry for stream '{service_name=\"s\"}' has timestamp too old");
        assertThat(lines(loki.entries())).containsExactly("s-2", "s-3", "s-4", "s-5");
        assertThat(attempts("400")).isEqualTo(1);
        assertThat(loki.requests()).hasSize(3); // the rejected batch is not retried
        assertThat(breakerState()).isZero();
    }

    @Test
    void circuitBreakerOpensAfterTheThresholdAndHalfOpensWithOneProbe() throws Exception {
        Duration recovery = Duration.ofMillis(500);
        var writer = writer(sink().setMaxBatchSize(1).setMaxInFlightBatches(3).setRetryAttempts(1)
                .setCircuitBreaker(true, 3, recovery).build());
        loki.failNext(3, 503, null, "unavailable");
        loki.setDelay(Duration.ofMillis(150)); // every answer takes a while: the probe's too

        write(writer, entries("s", 3, 1)); // three one-entry pushes in flight at once
        CompletableFuture<Void> flushed = flushAsync(writer);
        await(() -> breakerState() == 1, TIMEOUT, "the breaker to open");
        flushed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        List<Request> requests = new ArrayList<>(loki.requests());
        requests.sort(java.util.Comparator.comparingLong(Request::receivedAtNanos));
        assertThat(requests).extracting(Request::status).containsExactly(503, 503, 503, 204, 204, 204);
        long lastFailure = requests.get(2).receivedAtNanos();
        long probe = requests.get(3).receivedAtNanos();
        // open: nothing for the recovery time (measured from the failing answer, itself 150 ms late)
        assertThat(TimeUnit.NANOSECONDS.toMillis(probe - lastFailure)).isGreaterThanOrEqualTo(recovery.toMillis());
        // half-open: one probe; the others only after its (150 ms late) answer closed the breaker
        assertThat(TimeUnit.NANOSECONDS.toMillis(requests.get(4).receivedAtNanos() - probe)).isGreaterThanOrEqualTo(150);
        assertThat(breakerState()).isZero();
        assertThat(loki.entries()).hasSize(3);
    }

    @Test
    void breakerStaysOpenWhileProbesFailAndNothingIsDropped() throws Exception {
        var writer = writer(sink().setRetryAttempts(2).setCircuitBreaker(true, 1, Duration.ofMillis(200)).build());
        loki.failNext(6, 500);

        write(writer, entries("s", 2, 1));
        flush(writer);

        // 2 attempts → open; each failing probe re-opens it at once (no retries in half-open state)
        List<Request> requests = loki.requests();
        assertThat(requests).extracting(Request::status).containsExactly(500, 500, 500, 500, 500, 500, 204);
        for (int i = 2; i < requests.size(); i++) { // every probe waited for the recovery timeout
            assertThat(TimeUnit.NANOSECONDS.toMillis(requests.get(i).receivedAtNanos() - requests.get(i - 1).receivedAtNanos()))
                    .isGreaterThanOrEqualTo(200);
        }
        assertThat(attempts("500")).isEqualTo(6);
        assertThat(loki.entries()).hasSize(2);
    }

    @Test
    void flushBlocksUntilLokiAcknowledges() throws Exception {
        var writer = writer(sink().build());
        loki.hold();

        write(writer, entries("s", 5, 1));
        CompletableFuture<Void> flushed = flushAsync(writer);
        loki.awaitRequests(1, TIMEOUT);
        assertThat(flushed).as("the push arrived but is not answered yet").isNotDone();
        assertThat(loki.entries()).isEmpty();
        loki.release();
        flushed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(loki.entries()).hasSize(5);
    }

    @Test
    void countsTruncatedLines() throws Exception {
        var writer = writer(sink().build());
        LokiEntry big = entries("s", 1, 1).get(0);
        big.line = "x".repeat(LokiPushEncoder.MAX_LINE_BYTES + 10);

        write(writer, List.of(big));
        flush(writer);

        assertThat(loki.entries().get(0).line()).hasSize(LokiPushEncoder.MAX_LINE_BYTES);
        assertThat(context.metrics().getCounter("correlation", "backend", "loki", "loki_truncated_lines"))
                .get().extracting(Counter::getCount).isEqualTo(1L);
    }
}
