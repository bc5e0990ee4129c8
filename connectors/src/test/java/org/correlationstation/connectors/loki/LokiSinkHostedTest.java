package org.correlationstation.connectors.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.metrics.Counter;
import org.correlationstation.connectors.export.SinkSecurity;
import org.correlationstation.connectors.testutil.LokiTestServer;
import org.correlationstation.connectors.testutil.LokiTestServer.Request;
import org.correlationstation.connectors.testutil.MailboxThread;
import org.correlationstation.connectors.testutil.ServerSecurity;
import org.correlationstation.connectors.testutil.TestCertificates;
import org.correlationstation.connectors.testutil.TestWriterContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Loki sink against servers that require what hosted Loki (or its gateway) requires (issue 25): HTTPS
 * with a CA of the test's own, a client certificate, basic auth, a header; each with the case that fails.
 * A push that cannot get through TLS is retried (nothing acknowledged, nothing dropped); wrong credentials
 * are answered 401, which the sink handles as every other 4xx: the batch goes to the rejected-batch
 * handler (the DLQ), as docs/sinks.md says.
 */
class LokiSinkHostedTest {
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final List<LokiTestServer> servers = new ArrayList<>();
    private final List<StatefulSinkWriter<LokiEntry, BufferedRequestState<LokiEntry>>> writers = new ArrayList<>();
    private final ConcurrentLinkedQueue<LokiSinkWriterTest.Rejection> rejections = new ConcurrentLinkedQueue<>();
    private MailboxThread task;
    private TestWriterContext context;

    @BeforeEach
    void setUp() {
        task = new MailboxThread("loki-hosted-task");
        context = new TestWriterContext(task);
    }

    @AfterEach
    void tearDown() throws Exception {
        servers.forEach(LokiTestServer::close);
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

    private LokiTestServer loki(ServerSecurity security) throws Exception {
        LokiTestServer s = LokiTestServer.start(security);
        servers.add(s);
        return s;
    }

    private LokiSinkBuilder sink(String url, SinkSecurity security) {
        return LokiSink.builder().setPushUrl(url).setMaxBatchSize(100)
                .setBatchWait(Duration.ofMillis(20)) // a batch goes without a flush, so a failing one can be watched
                .setRetryAttempts(2)
                .setRetryDelay(Duration.ofMillis(20), Duration.ofMillis(100))
                .setTimeout(Duration.ofSeconds(5))
                .setCircuitBreaker(false, 5, Duration.ofSeconds(60))
                .setSecurity(security)
                .setRejectedBatchHandler((batch, status, answer) -> {
                    rejections.add(new LokiSinkWriterTest.Rejection(batch, status, answer));
                    return CompletableFuture.completedFuture(null);
                });
    }

    private StatefulSinkWriter<LokiEntry, BufferedRequestState<LokiEntry>> writer(LokiSink sink) throws Exception {
        var writer = task.call(() -> sink.createWriter(context), TIMEOUT);
        writers.add(writer);
        return writer;
    }

    private List<LokiEntry> send(StatefulSinkWriter<LokiEntry, ?> writer, int n) throws Exception {
        List<LokiEntry> entries = LokiSinkWriterTest.entries("s", n, 1);
        task.call(() -> {
            for (LokiEntry e : entries) {
                writer.write(e, null);
            }
            return null;
        }, TIMEOUT);
        return entries;
    }

    private void flush(StatefulSinkWriter<LokiEntry, ?> writer) throws Exception {
        task.call(() -> {
            writer.flush(false); // as at a checkpoint: returns once Loki acknowledged everything
            return null;
        }, TIMEOUT);
    }

    private long attempts(String status) {
        return context.metrics().getCounter("correlation", "backend", "loki", "status", status, "export_attempts")
                .map(Counter::getCount).orElse(0L);
    }


    private static List<String> lines(List<LokiTestServer.Entry> entries) {
        return entries.stream().map(LokiTestServer.Entry::line).toList();
    }

    /** A TLS failure is a connection failure: retried, the batch kept, nothing acknowledged or dead-lettered. */
    private void assertRetriedNotDropped(LokiTestServer loki) {
        LokiSinkWriterTest.await(() -> attempts("error") >= 3, TIMEOUT, "three failed attempts");
        assertThat(loki.requests()).as("no push got through the handshake").isEmpty();
        assertThat(loki.entries()).isEmpty();
        assertThat(rejections).as("nothing dropped to the DLQ").isEmpty();
    }

    @Test
    void withoutTheCaFileTlsFailsAndThePushIsRetried() throws Exception {
        LokiTestServer loki = loki(ServerSecurity.tls());
        var writer = writer(sink(loki.pushUrl(), SinkSecurity.none()).build()); // the JVM's trust: no test CA
        send(writer, 3);
        assertRetriedNotDropped(loki);
    }

    @Test
    void withTheCaFileEveryEntryArrivesOverHttps() throws Exception {
        LokiTestServer loki = loki(ServerSecurity.tls());
        assertThat(loki.pushUrl()).startsWith("https://");
        var writer = writer(sink(loki.pushUrl(), TestCertificates.caOnly()).build());
        send(writer, 3);
        flush(writer);
        assertThat(lines(loki.entries())).containsExactlyInAnyOrder("s-0", "s-1", "s-2");
    }

    @Test
    void withoutAClientCertificateMutualTlsFailsAndThePushIsRetried() throws Exception {
        LokiTestServer loki = loki(ServerSecurity.mutualTls());
        var writer = writer(sink(loki.pushUrl(), TestCertificates.caOnly()).build());
        send(writer, 3);
        assertRetriedNotDropped(loki);
    }

    @Test
    void withTheClientCertificateMutualTlsDeliversEveryEntry() throws Exception {
        LokiTestServer loki = loki(ServerSecurity.mutualTls());
        TestCertificates certs = TestCertificates.get();
        var writer = writer(sink(loki.pushUrl(), new SinkSecurity(Map.of(), certs.caFile().toString(),
                certs.clientCertFile().toString(), certs.clientKeyFile().toString())).build());
        send(writer, 3);
        flush(writer);
        assertThat(lines(loki.entries())).containsExactlyInAnyOrder("s-0", "s-1", "s-2");
    }

    @Test
    void basicAuthFromTheUrlsUserInfoWhichStaysOutOfTheRequestLine() throws Exception {
        LokiTestServer loki = loki(ServerSecurity.tls().requiringBasicAuth("123456", "glc_p@ss:w/rd"));
        String url = loki.pushUrl().replace("https://", "https://123456:glc_p%40ss%3Aw%2Frd@");
        var writer = writer(sink(url, TestCertificates.caOnly()).build());
        send(writer, 2);
        flush(writer);
        assertThat(lines(loki.entries())).containsExactlyInAnyOrder("s-0", "s-1");
        assertThat(loki.requests()).extracting(Request::path).containsOnly(LokiTestServer.PATH);
    }

    @Test
    void wrongBasicAuthIs401HandledAsAny4xx() throws Exception {
        LokiTestServer loki = loki(ServerSecurity.tls().requiringBasicAuth("123456", "right"));
        var writer = writer(sink(loki.pushUrl().replace("https://", "https://123456:wrong@"), TestCertificates.caOnly()).build());
        List<LokiEntry> sent = send(writer, 2);
        flush(writer);
        assertThat(loki.requests()).extracting(Request::status).containsExactly(401);
        assertThat(loki.entries()).isEmpty();
        assertThat(rejections).hasSize(1);
        assertThat(rejections.peek().batch()).containsExactlyElementsOf(sent);
        assertThat(rejections.peek().status()).isEqualTo("401");
        assertThat(attempts("401")).isEqualTo(1); // not retried: a 401 does not get better by itself
    }

    @Test
    void lokiHeadersAreSentOnEveryPushAndWinOverTheUserInfo() throws Exception {
        LokiTestServer loki = loki(ServerSecurity.none().requiring("Authorization", "Bearer tok+en=")
                .requiring("X-Team", "a b"));
        // LOKI_HEADERS=Authorization=Bearer%20tok+en%3D,X-Team=a%20b as HeaderList parses it
        var security = new SinkSecurity(Map.of("Authorization", "Bearer tok+en=", "X-Team", "a b"), null, null, null);
        var writer = writer(sink(loki.pushUrl().replace("http://", "http://ignored:user-info@"), security)
                .setMaxBatchSize(1).build());
        send(writer, 3);
        flush(writer);
        assertThat(lines(loki.entries())).containsExactlyInAnyOrder("s-0", "s-1", "s-2");
        assertThat(loki.requests()).hasSize(3).allSatisfy(r -> {
            assertThat(r.header("Authorization")).isEqualTo("Bearer tok+en=");
            assertThat(r.header("X-Team")).isEqualTo("a b");
        });
    }

    @Test
    void aMissingHeaderIs401HandledAsAny4xx() throws Exception {
        LokiTestServer loki = loki(ServerSecurity.none().requiring("X-Team", "a"));
        var writer = writer(sink(loki.pushUrl(), SinkSecurity.none()).build());
        send(writer, 1);
        flush(writer);
        assertThat(loki.entries()).isEmpty();
        assertThat(rejections).hasSize(1).allMatch(r -> r.status().equals("401"));
    }

    @Test
    void theOptionsNeverShowThePasswordNorHeaderValues() {
        var options = sink("https://123456:glc_secret@logs.example.com/loki/api/v1/push",
                new SinkSecurity(Map.of("Authorization", "Bearer glc_token"), null, null, null)).build().options();
        assertThat(options.toString()).doesNotContain("glc_secret", "glc_token")
                .contains("https://123456:***@logs.example.com", "headers=[Authorization]");
    }
}
