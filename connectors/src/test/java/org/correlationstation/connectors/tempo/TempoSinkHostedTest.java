package org.correlationstation.connectors.tempo;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.Counter;
import org.correlationstation.connectors.export.SinkSecurity;
import org.correlationstation.connectors.testutil.MailboxThread;
import org.correlationstation.connectors.testutil.OtlpTestReceiver;
import org.correlationstation.connectors.testutil.OtlpTestReceiver.Protocol;
import org.correlationstation.connectors.testutil.ServerSecurity;
import org.correlationstation.connectors.testutil.TestCertificates;
import org.correlationstation.connectors.testutil.TestWriterContext;
import org.correlationstation.core.model.OtlpTraces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Tempo sink against receivers that require what hosted Tempo (or its gateway) requires (issue 25),
 * over OTLP/HTTP and OTLP/gRPC: TLS with a CA of the test's own, a client certificate, basic auth, a
 * header; each with the case that fails. A batch that cannot get through TLS is retried (nothing is
 * acknowledged, nothing dropped); wrong credentials are a rejection like any 4xx (the DLQ), as
 * docs/sinks.md says.
 */
class TempoSinkHostedTest {
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final List<OtlpTestReceiver> receivers = new ArrayList<>();
    private final List<StatefulSinkWriter<OtlpTraces, ?>> writers = new ArrayList<>();
    private final TempoSinkWriterTest.CollectingHandler dlq = new TempoSinkWriterTest.CollectingHandler();
    private MailboxThread task;
    private TestWriterContext context;

    @BeforeEach
    void setUp() {
        task = new MailboxThread("tempo-hosted-task");
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
        receivers.forEach(OtlpTestReceiver::close);
    }

    private OtlpTestReceiver tempo(ServerSecurity security) throws Exception {
        OtlpTestReceiver r = OtlpTestReceiver.start(security);
        receivers.add(r);
        return r;
    }

    /** The endpoint as a user writes it: https:// asks for TLS on either protocol. */
    private static String endpoint(OtlpTestReceiver tempo, Protocol protocol, boolean tls) {
        if (protocol == Protocol.HTTP) {
            return tempo.httpTracesUrl();
        }
        return tls ? tempo.grpcTlsEndpoint() : tempo.grpcEndpoint();
    }

    private TempoSinkBuilder sink(Protocol protocol, String endpoint, SinkSecurity security) {
        TempoSinkBuilder b = TempoSink.builder()
                .setMaxBatchSize(100)
                .setBatchWait(Duration.ofMillis(20)) // a batch goes without a flush, so a failing one can be watched
                .setRetryAttempts(2)
                .setRetryDelay(Duration.ofMillis(20))
                .setMaxRetryDelay(Duration.ofMillis(100))
                .setTimeout(Duration.ofSeconds(5))
                .setCircuitBreaker(false, 3, Duration.ofMillis(100))
                .setSecurity(security)
                .setRejectedBatchHandler(dlq);
        return protocol == Protocol.GRPC ? b.setGrpcEndpoint(endpoint) : b.setHttpEndpoint(endpoint);
    }

    private StatefulSinkWriter<OtlpTraces, ?> writer(TempoSink sink) throws Exception {
        var writer = task.call(() -> sink.createWriter(context), TIMEOUT);
        writers.add(writer);
        return writer;
    }

    private List<ResourceSpans> send(StatefulSinkWriter<OtlpTraces, ?> writer, int messages) throws Exception {
        List<ResourceSpans> sent = new ArrayList<>();
        task.call(() -> {
            for (int i = 0; i < messages; i++) {
                TracesData m = TestTraces.tracesData("svc-" + i, 2);
                sent.addAll(m.getResourceSpansList());
                writer.write(TestTraces.otlp(m), null);
            }
            return null;
        }, TIMEOUT);
        return sent;
    }

    private void flush(StatefulSinkWriter<OtlpTraces, ?> writer) throws Exception {
        task.call(() -> {
            writer.flush(false); // as at a checkpoint: returns once Tempo acknowledged everything
            return null;
        }, TIMEOUT);
    }

    private long attempts(String status) {
        return context.metrics().getCounter("correlation", "backend", "tempo", "status", status, "export_attempts")
                .map(Counter::getCount).orElse(0L);
    }



    /** A TLS failure is a connection failure: retried, the batch kept, nothing acknowledged or dead-lettered. */
    private void assertRetriedNotDropped(Protocol protocol, OtlpTestReceiver tempo) {
        String status = protocol == Protocol.HTTP ? "error" : "UNAVAILABLE";
        OtlpTestReceiver.await(() -> attempts(status) >= 3, TIMEOUT, () -> "three failed attempts (" + status + ")");
        assertThat(tempo.requests()).as("no request got through the handshake").isEmpty();
        assertThat(tempo.spanCount()).isZero();
        assertThat(dlq.rejected).as("nothing dropped to the DLQ").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void withoutTheCaFileTlsFailsAndTheBatchIsRetried(Protocol protocol) throws Exception {
        OtlpTestReceiver tempo = tempo(ServerSecurity.tls());
        // the JVM's trust store does not know the test's CA
        var writer = writer(sink(protocol, endpoint(tempo, protocol, true), SinkSecurity.none()).build());
        send(writer, 2);
        assertRetriedNotDropped(protocol, tempo);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void withTheCaFileTlsDeliversEverySpan(Protocol protocol) throws Exception {
        OtlpTestReceiver tempo = tempo(ServerSecurity.tls());
        var writer = writer(sink(protocol, endpoint(tempo, protocol, true), TestCertificates.caOnly()).build());
        List<ResourceSpans> sent = send(writer, 3);
        flush(writer);
        assertThat(tempo.resourceSpans()).containsExactlyInAnyOrderElementsOf(sent);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void withoutAClientCertificateMutualTlsFailsAndTheBatchIsRetried(Protocol protocol) throws Exception {
        OtlpTestReceiver tempo = tempo(ServerSecurity.mutualTls());
        var writer = writer(sink(protocol, endpoint(tempo, protocol, true), TestCertificates.caOnly()).build());
        send(writer, 2);
        assertRetriedNotDropped(protocol, tempo);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void withTheClientCertificateMutualTlsDeliversEverySpan(Protocol protocol) throws Exception {
        OtlpTestReceiver tempo = tempo(ServerSecurity.mutualTls());
        var writer = writer(sink(protocol, endpoint(tempo, protocol, true), TestCertificates.withClientCert()).build());
        List<ResourceSpans> sent = send(writer, 3);
        flush(writer);
        assertThat(tempo.resourceSpans()).containsExactlyInAnyOrderElementsOf(sent);
    }

    /** Basic auth from the endpoint's user-info (%-encoded, as in any URL), over TLS as a hosted Tempo has it. */
    private String withUserInfo(OtlpTestReceiver tempo, Protocol protocol, String userInfo) {
        return endpoint(tempo, protocol, true).replace("://", "://" + userInfo + "@");
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void basicAuthFromTheEndpointsUserInfo(Protocol protocol) throws Exception {
        OtlpTestReceiver tempo = tempo(ServerSecurity.tls().requiringBasicAuth("123456", "glc_p@ss:w/rd"));
        var writer = writer(sink(protocol, withUserInfo(tempo, protocol, "123456:glc_p%40ss%3Aw%2Frd"), TestCertificates.caOnly()).build());
        List<ResourceSpans> sent = send(writer, 2);
        flush(writer);
        assertThat(tempo.resourceSpans()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(dlq.rejected).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void wrongBasicAuthIsARejectionLikeAny4xx(Protocol protocol) throws Exception {
        OtlpTestReceiver tempo = tempo(ServerSecurity.tls().requiringBasicAuth("123456", "right"));
        var writer = writer(sink(protocol, withUserInfo(tempo, protocol, "123456:wrong"), TestCertificates.caOnly()).build());
        send(writer, 2);
        flush(writer);
        String status = protocol == Protocol.HTTP ? "401" : "UNAUTHENTICATED";
        assertThat(tempo.requests()).extracting(OtlpTestReceiver.Request::status).containsExactly(status);
        assertThat(tempo.spanCount()).isZero();
        assertThat(dlq.rejected).hasSize(1).allMatch(r -> r.originals().size() == 2 && r.answer().startsWith(status));
        assertThat(attempts(status)).isEqualTo(1); // not retried: a 401 does not get better by itself
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aBearerTokenInTempoHeadersIsSentOnEveryRequest(Protocol protocol) throws Exception {
        OtlpTestReceiver tempo = tempo(ServerSecurity.none().requiring("Authorization", "Bearer tok+en=")
                .requiring("X-Scope-OrgID", "tenant-1"));
        // as TEMPO_HEADERS=Authorization=Bearer%20tok+en%3D,X-Scope-OrgID=tenant-1 is parsed
        var security = new SinkSecurity(Map.of("Authorization", "Bearer tok+en=", "X-Scope-OrgID", "tenant-1"), null,
                null, null);
        var writer = writer(sink(protocol, endpoint(tempo, protocol, false), security).setMaxBatchSize(2).build());
        List<ResourceSpans> sent = send(writer, 3); // three requests, one message of two spans each
        flush(writer);
        assertThat(tempo.resourceSpans()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(tempo.headers()).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(h -> assertThat(h).containsEntry("authorization", "Bearer tok+en="));
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aMissingHeaderIsARejection(Protocol protocol) throws Exception {
        OtlpTestReceiver tempo = tempo(ServerSecurity.none().requiring("X-Scope-OrgID", "tenant-1"));
        var writer = writer(sink(protocol, endpoint(tempo, protocol, false), SinkSecurity.none()).build());
        send(writer, 1);
        flush(writer);
        assertThat(tempo.spanCount()).isZero();
        assertThat(dlq.rejected).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void gzipRequestsAreDecodedByTheReceiver(Protocol protocol) throws Exception {
        OtlpTestReceiver tempo = tempo(ServerSecurity.none());
        var writer = writer(sink(protocol, endpoint(tempo, protocol, false), SinkSecurity.none()).setGzip(true).build());
        List<ResourceSpans> sent = send(writer, 3);
        flush(writer);
        assertThat(tempo.resourceSpans()).containsExactlyInAnyOrderElementsOf(sent);
        String header = protocol == Protocol.HTTP ? "content-encoding" : "grpc-encoding";
        assertThat(tempo.headers()).isNotEmpty().allSatisfy(h -> assertThat(h).containsEntry(header, "gzip"));
    }
}
