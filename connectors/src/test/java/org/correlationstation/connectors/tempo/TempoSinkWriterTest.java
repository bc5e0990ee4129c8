package org.correlationstation.connectors.tempo;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.Counter;
import org.correlationstation.connectors.testutil.MailboxThread;
import org.correlationstation.connectors.testutil.OtlpTestReceiver;
import org.correlationstation.connectors.testutil.OtlpTestReceiver.Failure;
import org.correlationstation.connectors.testutil.OtlpTestReceiver.Protocol;
import org.correlationstation.connectors.testutil.TestWriterContext;
import org.correlationstation.core.model.OtlpTraces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Tempo sink through its writer, on a mailbox thread as in a Flink task, against a fake OTLP backend, over both transports. */
class TempoSinkWriterTest {
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private OtlpTestReceiver tempo;
    private MailboxThread task;
    private TestWriterContext context;
    private final List<StatefulSinkWriter<OtlpTraces, ?>> writers = new ArrayList<>();
    private final CollectingHandler dlq = new CollectingHandler();

    /** What the DLQ would get. */
    static final class CollectingHandler implements RejectedBatchHandler {
        record Rejected(List<byte[]> originals, String answer) {}

        final ConcurrentLinkedQueue<Rejected> rejected = new ConcurrentLinkedQueue<>();

        @Override
        public void rejected(List<byte[]> originals, String backendAnswer) {
            rejected.add(new Rejected(originals, backendAnswer));
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        tempo = OtlpTestReceiver.start();
        task = new MailboxThread("tempo-sink-task");
        context = new TestWriterContext(task);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (var writer : writers) {
            task.call(() -> {
                writer.close();
                return null;
            }, TIMEOUT);
        }
        assertThat(task.uncaught()).as("what would have failed the task").isNull();
        task.close();
        context.close();
        tempo.close();
    }

    private TempoSinkBuilder sink(Protocol protocol) {
        TempoSinkBuilder b = TempoSink.builder()
                .setMaxBatchSize(100)
                .setBatchWait(Duration.ofMinutes(5)) // only flush() or a full batch sends, unless a test says otherwise
                .setMaxInFlightBatches(4)
                .setRetryAttempts(3)
                .setRetryDelay(Duration.ofMillis(20))
                .setMaxRetryDelay(Duration.ofMillis(200))
                .setTimeout(Duration.ofSeconds(3))
                .setCircuitBreaker(true, 3, Duration.ofMillis(200))
                .setRejectedBatchHandler(dlq);
        return protocol == Protocol.GRPC ? b.setGrpcEndpoint(tempo.grpcEndpoint()) : b.setHttpEndpoint(tempo.httpTracesUrl());
    }

    private StatefulSinkWriter<OtlpTraces, ?> writer(TempoSink sink) throws Exception {
        var writer = task.call(() -> sink.createWriter(context), TIMEOUT);
        writers.add(writer);
        return writer;
    }

    private void write(StatefulSinkWriter<OtlpTraces, ?> writer, List<TracesData> messages) throws Exception {
        task.call(() -> {
            for (TracesData m : messages) {
                writer.write(TestTraces.otlp(m), null);
            }
            return null;
        }, TIMEOUT);
    }

    private void flush(StatefulSinkWriter<OtlpTraces, ?> writer) throws Exception {
        task.call(() -> {
            writer.flush(false); // as at a checkpoint
            return null;
        }, TIMEOUT);
    }

    private long attempts(String status) {
        return context.metrics().getCounter("correlation", "backend", "tempo", "status", status, "export_attempts")
                .map(Counter::getCount).orElse(0L);
    }

    private static List<TracesData> messages(int n, int spansEach) {
        List<TracesData> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(TestTraces.tracesData("svc-" + i, spansEach));
        }
        return out;
    }

    private static List<ResourceSpans> resourceSpansOf(List<TracesData> messages) {
        List<ResourceSpans> out = new ArrayList<>();
        for (TracesData m : messages) {
            out.addAll(m.getResourceSpansList());
        }
        return out;
    }

    private static String okStatus(Protocol protocol) {
        return protocol == Protocol.HTTP ? "200" : "OK";
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void deliversEverySpanUnchangedAndFlushWaitsForTheAcknowledgement(Protocol protocol) throws Exception {
        var writer = writer(sink(protocol).build());
        List<TracesData> sent = messages(5, 3);

        write(writer, sent);
        flush(writer);

        // No waiting: flush returned, so Tempo must have acknowledged everything.
        assertThat(tempo.resourceSpans()).containsExactlyElementsOf(resourceSpansOf(sent));
        assertThat(tempo.traceRequests()).hasSize(1).allMatch(r -> r.protocol() == protocol);
        assertThat(attempts(okStatus(protocol))).isEqualTo(1);
        assertThat(context.metrics().getHistogram("correlation", "backend", "tempo", "export_batch_size"))
                .get().matches(h -> h.getStatistics().getMax() == 15);
    }

    /** Several batches go concurrently (up to four in flight), so their order at Tempo is not given. */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void batchesBySpanCount(Protocol protocol) throws Exception {
        var writer = writer(sink(protocol).setMaxBatchSize(5).build());
        List<TracesData> sent = messages(5, 2);

        write(writer, sent);
        flush(writer);

        assertThat(tempo.resourceSpans()).containsExactlyInAnyOrderElementsOf(resourceSpansOf(sent));
        assertThat(tempo.traceRequests()).allMatch(r -> spans(r.request()) <= 5);
        assertThat(tempo.traceRequests()).hasSize(3);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aPartialBatchGoesAfterTheBatchWait(Protocol protocol) throws Exception {
        var writer = writer(sink(protocol).setBatchWait(Duration.ofMillis(50)).build());
        write(writer, messages(1, 2));
        tempo.awaitSpans(2, TIMEOUT);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void retriesServerErrorsUntilDelivered(Protocol protocol) throws Exception {
        var writer = writer(sink(protocol).build());
        tempo.failNext(2, protocol == Protocol.HTTP ? Failure.http(500) : Failure.grpc(Status.Code.UNAVAILABLE));
        List<TracesData> sent = messages(3, 2);

        write(writer, sent);
        flush(writer);

        assertThat(tempo.resourceSpans()).containsExactlyElementsOf(resourceSpansOf(sent));
        assertThat(tempo.requests()).extracting(OtlpTestReceiver.Request::status).containsExactly(
                protocol == Protocol.HTTP ? List.of("500", "500", "200").toArray(String[]::new)
                        : List.of("UNAVAILABLE", "UNAVAILABLE", "OK").toArray(String[]::new));
        assertThat(attempts(protocol == Protocol.HTTP ? "500" : "UNAVAILABLE")).isEqualTo(2);
        assertThat(dlq.rejected).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void honoursRetryAfter(Protocol protocol) throws Exception {
        var writer = writer(sink(protocol).build());
        tempo.failNext(1, Failure.throttled(Duration.ofSeconds(1)));
        List<TracesData> sent = messages(2, 2);

        write(writer, sent);
        flush(writer);

        var requests = tempo.requests();
        assertThat(requests).extracting(OtlpTestReceiver.Request::status).containsExactly(
                protocol == Protocol.HTTP ? "429" : "RESOURCE_EXHAUSTED", okStatus(protocol));
        long gapMillis = TimeUnit.NANOSECONDS.toMillis(requests.get(1).nanos() - requests.get(0).nanos());
        assertThat(gapMillis).as("wait after a 1 s Retry-After (backoff alone: <= 20 ms)").isGreaterThanOrEqualTo(1000);
        assertThat(tempo.resourceSpans()).containsExactlyElementsOf(resourceSpansOf(sent));
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aRequestThatTimesOutIsSentAgain(Protocol protocol) throws Exception {
        var writer = writer(sink(protocol).setTimeout(Duration.ofMillis(300)).build());
        tempo.failNext(1, Failure.http(503).withDelay(Duration.ofSeconds(2)));
        List<TracesData> sent = messages(2, 2);

        write(writer, sent);
        flush(writer);

        assertThat(tempo.resourceSpans()).containsExactlyElementsOf(resourceSpansOf(sent));
        assertThat(attempts(protocol == Protocol.HTTP ? "timeout" : "DEADLINE_EXCEEDED")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aBackendThatIsDownHoldsTheFlushUntilItIsBack(Protocol protocol) throws Exception {
        var writer = writer(sink(protocol).build());
        List<TracesData> before = messages(2, 2);
        write(writer, before);
        flush(writer);
        tempo.stop();

        List<TracesData> during = messages(3, 2);
        write(writer, during);
        CompletableFuture<Void> checkpoint = task.run(() -> writer.flush(false));
        String refused = protocol == Protocol.HTTP ? "error" : "UNAVAILABLE";
        OtlpTestReceiver.await(() -> attempts(refused) >= 4, TIMEOUT, () -> "failed attempts while Tempo is down");
        assertThat(checkpoint).as("flush while Tempo is down").isNotDone();

        tempo.restart();
        checkpoint.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        List<TracesData> all = new ArrayList<>(before);
        all.addAll(during);
        assertThat(tempo.resourceSpans()).containsExactlyInAnyOrderElementsOf(resourceSpansOf(all));
        assertThat(dlq.rejected).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aRejectedBatchGoesToTheHandlerAsItsOriginalsAndTheOthersAreDelivered(Protocol protocol) throws Exception {
        // one message per batch, so that only the poisoned one is rejected
        var writer = writer(sink(protocol).setMaxBatchSize(2).build());
        tempo.failMatching(body -> hasSpanNamed(body, "poison"),
                (protocol == Protocol.HTTP ? Failure.http(400) : Failure.grpc(Status.Code.INVALID_ARGUMENT))
                        .withMessage("span name not allowed"));
        List<TracesData> good = messages(3, 2);
        TracesData poison = TestTraces.tracesData("bad", 2, "poison");

        write(writer, List.of(good.get(0), poison, good.get(1), good.get(2)));
        flush(writer);

        assertThat(tempo.resourceSpans()).containsExactlyInAnyOrderElementsOf(resourceSpansOf(good));
        assertThat(dlq.rejected).hasSize(1);
        var rejected = dlq.rejected.peek();
        assertThat(rejected.originals()).hasSize(1);
        assertThat(rejected.originals().get(0)).isEqualTo(poison.toByteArray());
        assertThat(rejected.answer()).contains(protocol == Protocol.HTTP ? "400" : "INVALID_ARGUMENT")
                .contains("span name not allowed");
        assertThat(context.metrics().getCounter("correlation", "backend", "tempo", "reason", "batch_rejected",
                "tempo_rejected_spans")).get().extracting(Counter::getCount).isEqualTo(2L);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void countsSpansRejectedInAPartialSuccess(Protocol protocol) throws Exception {
        var writer = writer(sink(protocol).build());
        tempo.reportRejectedSpans(1);

        write(writer, messages(1, 3));
        flush(writer);

        assertThat(context.metrics().getCounter("correlation", "backend", "tempo", "reason", "partial_success",
                "tempo_rejected_spans")).get().extracting(Counter::getCount).isEqualTo(1L);
    }

    private static boolean hasSpanNamed(byte[] body, String name) {
        try {
            return ExportTraceServiceRequest.parseFrom(body).getResourceSpansList().stream()
                    .flatMap(rs -> rs.getScopeSpansList().stream()).flatMap(ss -> ss.getSpansList().stream())
                    .map(Span::getName).anyMatch(name::equals);
        } catch (Exception e) {
            return false;
        }
    }

    private static int spans(ExportTraceServiceRequest request) {
        return request.getResourceSpansList().stream().flatMap(rs -> rs.getScopeSpansList().stream())
                .mapToInt(ScopeSpans::getSpansCount).sum();
    }
}
