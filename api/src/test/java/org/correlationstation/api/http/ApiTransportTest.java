package org.correlationstation.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.correlationstation.api.store.CorrelationQuery;
import org.correlationstation.api.store.CorrelationStore;
import org.correlationstation.api.store.InMemoryCorrelationStore;
import org.correlationstation.api.store.Page;
import org.correlationstation.core.graph.ServiceGraph;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.http.HttpResponse;
import org.correlationstation.http.PostHandler;
import org.correlationstation.http.VertxHttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP layer itself, over raw connections: pipelining, keep-alive and close, HEAD, malformed and
 * oversized requests, bodies, compression, and the extra POST routes local mode mounts.
 */
class ApiTransportTest {
    static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    static final int MAX_POST_BODY = 4096;
    static final String ECHO = "/echo";

    static GatedStore store;
    static ApiTestSupport api;

    @BeforeAll
    static void start() {
        InMemoryCorrelationStore memory = ApiTestSupport.memoryStore();
        memory.put(ApiTestSupport.record(TRACE, 1_763_805_600_000L, "closed", false, "gateway", "checkout"));
        store = new GatedStore(memory);
        PostHandler echo = r -> CompletableFuture.completedFuture(HttpResponse.json(201, HttpApi.toJson(Map.of(
                "path", r.path(), "bytes", r.body().length, "declared", r.contentLength(),
                "type", String.valueOf(r.header("content-TYPE")), "remote", r.remoteAddress(),
                "thread", Thread.currentThread().getName()))));
        PostHandler failing = r -> CompletableFuture.failedFuture(new IllegalStateException("test double"));
        api = ApiTestSupport.start(Map.of(), store, Map.of(ECHO, echo, "/failing", failing), MAX_POST_BODY);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    RawHttp connect() {
        return new RawHttp(api.server.port());
    }

    static String get(String target, String... headerLines) {
        StringBuilder b = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: test\r\n");
        for (String h : headerLines) b.append(h).append("\r\n");
        return b.append("\r\n").toString();
    }

    static JsonNode json(RawHttp.Response r) {
        assertThat(r.header("content-type")).as(r.text()).startsWith("application/json");
        try {
            return ApiTestSupport.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInRequestOrder() throws Exception {
        try (RawHttp c = connect()) {
            CompletableFuture<Void> gate = store.closeGate();
            // The first request waits for the store; those behind it could be answered at once.
            c.send(get("/api/correlations?trace_id=" + TRACE) + get("/health/live") + get("/nope")
                    + get("/api/correlations?limit=0"));
            store.called.get(10, TimeUnit.SECONDS);
            gate.complete(null);
            RawHttp.Response first = c.read();
            assertThat(first.status()).as(first.text()).isEqualTo(200);
            assertThat(json(first).get("trace_id").asText()).isEqualTo(TRACE);
            assertThat(json(c.read()).get("status").asText()).isEqualTo("alive");
            assertThat(c.read().status()).isEqualTo(404);
            assertThat(json(c.read()).at("/error/message").asText()).contains("limit");
        }
    }

    @Test
    void manyPipelinedRequestsInOneWriteAreAllAnswered() {
        int n = 200; // more than the server holds before it stops reading
        try (RawHttp c = connect()) {
            c.send(get("/health/live").repeat(n));
            for (int i = 0; i < n; i++) assertThat(c.read().status()).as("response %d", i).isEqualTo(200);
        }
    }

    @Test
    void keepAliveByDefaultAndCloseWhenAsked() {
        try (RawHttp c = connect()) {
            RawHttp.Response first = c.send(get("/health/live")).read();
            assertThat(first.header("connection")).isNull();
            assertThat(c.send(get("/health/live")).read().status()).isEqualTo(200);
            RawHttp.Response last = c.send(get("/health/live", "Connection: close")).read();
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.header("connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedByServer()).isTrue();
        }
        // HTTP/1.0: close unless keep-alive is asked for.
        try (RawHttp c = connect()) {
            RawHttp.Response kept = c.send("GET /health/live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(kept.header("connection")).isEqualToIgnoringCase("keep-alive");
            RawHttp.Response closed = c.send("GET /health/live HTTP/1.0\r\n\r\n").read();
            assertThat(closed.status()).isEqualTo(200);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void headHasTheLengthOfGetButNoBody() {
        try (RawHttp c = connect()) {
            // Pipelined: a body sent after the HEAD response would be read as the next status line.
            c.send(get("/").replaceFirst("GET", "HEAD") + get("/"));
            RawHttp.Response head = c.read(true);
            RawHttp.Response get = c.read();
            assertThat(head.status()).isEqualTo(200);
            assertThat(get.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(Integer.toString(get.body().length));
            assertThat(head.header("traceparent")).isNotNull();
            assertThat(json(get).get("service").asText()).isEqualTo("correlation-station");
        }
    }

    @Test
    void everyResponseCarriesTraceparentAndNoStoreButNoServerHeader() {
        try (RawHttp c = connect()) {
            for (String target : new String[] {"/health/live", "/nope", "/api/correlations?limit=x"}) {
                RawHttp.Response r = c.send(get(target)).read();
                assertThat(r.header("traceparent")).as(target).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
                assertThat(r.header("cache-control")).as(target).isEqualTo("no-store");
                assertThat(r.headers()).as(target).doesNotContainKeys("server", "x-powered-by");
            }
        }
    }

    @Test
    void malformedRequestsGet400JsonAndTheConnectionCloses() {
        for (String bad : new String[] {"GARBAGE\r\n\r\n", "GET / FOO/1.1\r\nHost: x\r\n\r\n",
                "GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\nBad Header: y\r\n\r\n",
                "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                "GET / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"}) {
            try (RawHttp c = connect()) {
                RawHttp.Response r = c.send(bad).read();
                assertThat(r.status()).as(bad).isEqualTo(400);
                assertThat(json(r).at("/error/code").asText()).as(bad).isEqualTo("invalid_argument");
                assertThat(c.closedByServer()).as(bad).isTrue();
            }
        }
    }

    @Test
    void requestLineAndHeadersBeyondTheParserLimitsGetJson() {
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send(get("/api/correlations?service=" + "a".repeat(40_000))).read();
            assertThat(r.status()).isEqualTo(414);
            assertThat(json(r).at("/error/code").asText()).isEqualTo("uri_too_long");
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send(get("/health/live", "X-Big: " + "a".repeat(40_000))).read();
            assertThat(r.status()).isEqualTo(431);
            assertThat(json(r).at("/error/code").asText()).isEqualTo("headers_too_large");
            assertThat(c.closedByServer()).isTrue();
        }
        // Between the API's limit and the parser's: the API's own 414, and the connection stays usable.
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send(get("/api/correlations?service=" + "a".repeat(HttpApi.MAX_URL_BYTES))).read();
            assertThat(r.status()).isEqualTo(414);
            assertThat(r.header("traceparent")).isNotNull();
            assertThat(c.send(get("/health/live")).read().status()).isEqualTo(200);
        }
    }

    @Test
    void bodiesOnApiRoutesAre413() {
        String small = "GET /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
        String large = "GET /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n" + "x".repeat(2000);
        String chunked = "GET /health/live HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
        try (RawHttp c = connect()) {
            // A small body is ignored; larger or chunked ones are refused, read to their end, and the
            // connection goes on.
            assertThat(c.send(small).read().status()).isEqualTo(200);
            RawHttp.Response r = c.send(large).read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(json(r).at("/error/code").asText()).isEqualTo("payload_too_large");
            assertThat(c.send(chunked).read().status()).isEqualTo(413);
            assertThat(c.send(get("/health/live")).read().status()).isEqualTo(200);
        }
        try (RawHttp c = connect()) {
            // Too large to read through: answered at once, then the connection closes.
            RawHttp.Response r = c.send("GET /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n"
                    + "x".repeat(100_000)).read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void largeResponsesAreGzippedWhenAccepted() throws IOException {
        try (RawHttp c = connect()) {
            RawHttp.Response plain = c.send(get("/metrics")).read();
            assertThat(plain.header("content-encoding")).isNull();
            assertThat(plain.body().length).isGreaterThan(VertxHttpServer.COMPRESSION_THRESHOLD_BYTES);

            RawHttp.Response gzipped = c.send(get("/metrics", "Accept-Encoding: gzip")).read();
            assertThat(gzipped.header("content-encoding")).isEqualTo("gzip");
            String text = new String(new GZIPInputStream(new ByteArrayInputStream(gzipped.body())).readAllBytes(),
                    StandardCharsets.UTF_8);
            assertThat(text).contains("correlation_api_requests_total");

            RawHttp.Response small = c.send(get("/health/live", "Accept-Encoding: gzip")).read();
            assertThat(small.header("content-encoding")).isNull();
            assertThat(small.text()).isEqualTo("{\"status\":\"alive\"}");
        }
    }

    @Test
    void extraPostRoutesGetTheirBodyAndHeaders() {
        try (RawHttp c = connect()) {
            String body = "{\"x\":1}";
            RawHttp.Response r = c.send("POST " + ECHO + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).read();
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            JsonNode echoed = json(r);
            assertThat(echoed.get("path").asText()).isEqualTo(ECHO);
            assertThat(echoed.get("bytes").asInt()).isEqualTo(body.length());
            assertThat(echoed.get("declared").asLong()).isEqualTo(body.length());
            assertThat(echoed.get("type").asText()).isEqualTo("application/json");
            assertThat(echoed.get("remote").asText()).startsWith("127.0.0.1:");
            // Off the event loops: a handler may decode megabytes or block on Kafka.
            assertThat(echoed.get("thread").asText()).startsWith("api-post-");

            // Chunked: assembled; beyond the limit the handler sees limit + 1 bytes (and answers).
            RawHttp.Response chunked = c.send("POST " + ECHO + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n").read();
            assertThat(json(chunked).get("bytes").asInt()).isEqualTo(7);
            assertThat(json(chunked).get("declared").asLong()).isEqualTo(-1);
            String big = Integer.toHexString(MAX_POST_BODY * 2) + "\r\n" + "y".repeat(MAX_POST_BODY * 2) + "\r\n0\r\n\r\n";
            RawHttp.Response over = c.send("POST " + ECHO + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + big).read();
            assertThat(json(over).get("bytes").asInt()).isEqualTo(MAX_POST_BODY + 1);
            assertThat(over.header("connection")).isEqualToIgnoringCase("close");
        }
        try (RawHttp c = connect()) {
            // Declared beyond the limit: not read, the handler answers from the declared length.
            RawHttp.Response r = c.send("POST " + ECHO + " HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n").read();
            assertThat(json(r).get("bytes").asInt()).isZero();
            assertThat(json(r).get("declared").asLong()).isEqualTo(999_999);
        }
        try (RawHttp c = connect()) {
            // Other methods on the path are a wrong method (405, Allow: POST); a failing handler is a 500 JSON.
            RawHttp.Response wrong = c.send(get(ECHO)).read();
            assertThat(wrong.status()).isEqualTo(405);
            assertThat(wrong.header("allow")).isEqualTo("POST");
            RawHttp.Response failed = c.send("POST /failing HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").read();
            assertThat(failed.status()).isEqualTo(500);
            assertThat(json(failed).at("/error/code").asText()).isEqualTo("internal");
            assertThat(c.send(get("/health/live")).read().status()).isEqualTo(200);
        }
    }

    /** A memory store whose trace lookups wait for a gate the test opens (to answer out of order). */
    static final class GatedStore implements CorrelationStore {
        private final CorrelationStore delegate;
        private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
        final CompletableFuture<Void> called = new CompletableFuture<>();

        GatedStore(CorrelationStore delegate) {
            this.delegate = delegate;
        }

        CompletableFuture<Void> closeGate() {
            CompletableFuture<Void> g = new CompletableFuture<>();
            gate = g;
            return g;
        }

        @Override
        public CompletableFuture<Optional<byte[]>> recordJsonByTraceId(String traceId) {
            called.complete(null);
            return gate.thenCompose(x -> delegate.recordJsonByTraceId(traceId));
        }

        @Override
        public CompletableFuture<Optional<CorrelationRecord>> byTraceId(String traceId) {
            return delegate.byTraceId(traceId);
        }

        @Override
        public CompletableFuture<Optional<CorrelationRecord>> byCorrelationId(String correlationId) {
            return delegate.byCorrelationId(correlationId);
        }

        @Override
        public CompletableFuture<Page> query(CorrelationQuery query) {
            return delegate.query(query);
        }

        @Override
        public CompletableFuture<ServiceGraph> graph(long sinceMillis, long untilMillis, String service) {
            return delegate.graph(sinceMillis, untilMillis, service);
        }

        @Override
        public CompletableFuture<Void> ping() {
            return delegate.ping();
        }

        @Override
        public Kind kind() {
            return delegate.kind();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
