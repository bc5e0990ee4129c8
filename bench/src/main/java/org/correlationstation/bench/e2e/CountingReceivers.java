package org.correlationstation.bench.e2e;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * The benchmark's Loki and Tempo: they acknowledge at once and count what they got, so that they cost
 * the machine little. Counting walks the protobuf field tags without building objects; one Tempo
 * request in {@link #SAMPLE_EVERY} is fully parsed as a check that the count is right (no Loki protos
 * here: a Loki body that does not decompress or walk is counted as a bad sample).
 * Loki: {@code POST /loki/api/v1/push} (snappy protobuf PushRequest); Tempo: {@code POST /v1/traces}
 * (OTLP/HTTP protobuf).
 */
public final class CountingReceivers implements AutoCloseable {
    static final int SAMPLE_EVERY = 64;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "bench-receiver");
        t.setDaemon(true);
        return t;
    });
    final AtomicLong lokiEntries = new AtomicLong();
    final AtomicLong lokiRequests = new AtomicLong();
    final AtomicLong tempoSpans = new AtomicLong();
    final AtomicLong tempoRequests = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    /** Sampled requests whose full parse disagreed with the count, or that did not parse. */
    final AtomicLong sampleMismatches = new AtomicLong();

    public CountingReceivers() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(executor);
        server.createContext("/loki/api/v1/push", this::loki);
        server.createContext("/v1/traces", this::tempo);
        server.start();
    }

    public String lokiPushUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/loki/api/v1/push";
    }

    public String tempoHttpEndpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    /** Spans at Tempo plus log entries at Loki: every event the job read, once it is through. */
    public long events() {
        return lokiEntries.get() + tempoSpans.get();
    }

    String describe() {
        return String.format(java.util.Locale.ROOT, "tempo %,d spans in %,d requests, loki %,d entries in %,d requests, %,d MiB, %d bad samples",
                tempoSpans.get(), tempoRequests.get(), lokiEntries.get(), lokiRequests.get(), bytes.get() >> 20, sampleMismatches.get());
    }

    public void reset() {
        lokiEntries.set(0);
        lokiRequests.set(0);
        tempoSpans.set(0);
        tempoRequests.set(0);
        bytes.set(0);
    }

    private void loki(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = readAll(exchange);
            byte[] raw = Snappy.uncompress(body);
            // PushRequest { repeated StreamAdapter streams = 1 } StreamAdapter { labels = 1; repeated entries = 2 }
            long n = countNested(raw, 1, 2, -1);
            lokiEntries.addAndGet(n);
            lokiRequests.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
        } catch (IOException | RuntimeException e) {
            sampleMismatches.incrementAndGet();
            exchange.sendResponseHeaders(400, -1);
        }
    }

    private void tempo(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = readAll(exchange);
            // ExportTraceServiceRequest { resource_spans = 1 { scope_spans = 2 { spans = 2 } } }
            long n = countNested(body, 1, 2, 2);
            if (tempoRequests.incrementAndGet() % SAMPLE_EVERY == 0) {
                long parsed = ExportTraceServiceRequest.parseFrom(body).getResourceSpansList().stream()
                        .flatMap(r -> r.getScopeSpansList().stream()).mapToLong(s -> s.getSpansCount()).sum();
                if (parsed != n) sampleMismatches.incrementAndGet();
            }
            tempoSpans.addAndGet(n);
            byte[] response = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, response.length == 0 ? -1 : response.length);
            if (response.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response);
                }
            }
        }
    }

    private byte[] readAll(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            bytes.addAndGet(body.length);
            return body;
        }
    }

    /**
     * Counts occurrences of the innermost field on the path {@code outer → middle → inner} (inner −1:
     * count {@code middle} fields inside each {@code outer}).
     */
    static long countNested(byte[] message, int outer, int middle, int inner) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(message);
        long count = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (WireFormat.getTagFieldNumber(tag) == outer && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int limit = in.pushLimit(in.readRawVarint32());
                while (!in.isAtEnd()) {
                    int t2 = in.readTag();
                    if (WireFormat.getTagFieldNumber(t2) == middle && WireFormat.getTagWireType(t2) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        if (inner < 0) {
                            count++;
                            in.skipField(t2);
                        } else {
                            int limit2 = in.pushLimit(in.readRawVarint32());
                            while (!in.isAtEnd()) {
                                int t3 = in.readTag();
                                if (WireFormat.getTagFieldNumber(t3) == inner) count++;
                                in.skipField(t3);
                            }
                            in.popLimit(limit2);
                        }
                    } else {
                        in.skipField(t2);
                    }
                }
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
        return count;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
