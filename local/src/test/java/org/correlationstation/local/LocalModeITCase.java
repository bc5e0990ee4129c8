package org.correlationstation.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local mode as a user runs it: started in-process, fed by the real OpenTelemetry Java SDK over
 * OTLP/gRPC and OTLP/HTTP (spans, and logs through the SDK's log bridge inside a span's context; one
 * service's logs through the legacy alias on the query API's port), and read back through the query API.
 */
class LocalModeITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newHttpClient();

    /** What one trace of {@link #sendTrace} must become. */
    record Expected(String traceId, int spans, int logs, SpanContext checkoutSpan) {}

    @Test
    void tracesSentWithTheOpenTelemetrySdkOverGrpcAndHttpAreCorrelatedExactly() throws Exception {
        Map<String, String> env = env(ports());
        try (LocalMode local = LocalMode.start(Settings.from(env, new String[0]));
             Clients clients = new Clients(local)) {
            List<Expected> expected = new ArrayList<>();
            for (int i = 0; i < 5; i++) expected.add(clients.sendTrace("order-" + i, 2 + i % 3));
            clients.flush();

            // The old service's log route on the API's port: the ingest service's checks and error body.
            HttpResponse<String> legacy = http.send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + local.apiPort() + "/api/logs"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"records\":[{\"span_id\":\"123\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(legacy.statusCode()).as(legacy.body()).isEqualTo(400);
            assertThat(JSON.readTree(legacy.body()).at("/error/message").asText()).contains("records[0].span_id");

            for (Expected e : expected) {
                JsonNode record = awaitRecord(local.apiPort(), e);
                assertThat(record.get("span_count").asInt()).isEqualTo(e.spans);
                assertThat(record.get("log_count").asInt()).isEqualTo(e.logs);
                assertThat(texts(record.get("services"))).containsExactly("checkout", "frontend");
                assertThat(record.get("root").get("service").asText()).isEqualTo("frontend");
                assertThat(record.get("root").get("operation").asText()).isEqualTo("GET /checkout");
            }
            // The service graph over the run, as sent: five frontend → checkout calls
            JsonNode graph = awaitGraph(local.apiPort(), "frontend", "checkout", expected.size());
            assertThat(graph.at("/edges/0/errors").asLong()).isZero();
            List<String> nodes = new ArrayList<>();
            graph.get("nodes").forEach(n -> nodes.add(n.get("service").asText()));
            assertThat(nodes).containsExactly("checkout", "frontend");
            assertThat(graph.get("nodes")).allSatisfy(n -> assertThat(n.get("spans").asLong()).isEqualTo(expected.size()));

            // A log without trace context whose text names a trace: it joins that trace's record
            Expected first = expected.get(0);
            clients.sendLogWithoutContext("payment retried trace_id=" + first.traceId + " attempt=2");
            clients.flush();
            awaitRecord(local.apiPort(), new Expected(first.traceId, first.spans, first.logs + 1, first.checkoutSpan));
        }
    }

    @Test
    void aRestartKeepsTheCorrelationsServedAndResumesTheTracesItWasBuilding() throws Exception {
        Map<String, String> env = env(ports());
        Expected before;
        try (LocalMode local = LocalMode.start(Settings.from(env, new String[0]));
             Clients clients = new Clients(local)) {
            before = clients.sendTrace("before-restart", 2);
            clients.flush();
            awaitRecord(local.apiPort(), before);
            awaitGraph(local.apiPort(), "frontend", "checkout", 1);
        }

        try (LocalMode local = LocalMode.start(Settings.from(env, new String[0]));
             Clients clients = new Clients(local)) {
            // Served from the store's snapshot at once, before the job has processed anything new.
            JsonNode served = get(local.apiPort(), "/api/correlations?trace_id=" + before.traceId).body;
            assertThat(served.get("span_count").asInt()).isEqualTo(before.spans);
            assertThat(served.get("log_count").asInt()).isEqualTo(before.logs);
            // and the service graph too
            assertThat(get(local.apiPort(), lastDay())
                    .body.at("/edges/0/calls").asLong()).isEqualTo(1);

            // The job resumed the open trace from its savepoint: a log sent now adds to its counts.
            clients.sendLog(before.checkoutSpan);
            Expected after = clients.sendTrace("after-restart", 1);
            clients.flush();
            awaitRecord(local.apiPort(), new Expected(before.traceId, before.spans, before.logs + 1, before.checkoutSpan));
            awaitRecord(local.apiPort(), after);
        }
    }

    @Test
    void fedMoreThanItsStoreHoldsItServesTheNewestEvictsTheOldestAndStaysWithinTheBound() throws Exception {
        Map<String, String> env = env(ports());
        long maxBytes = 24 * 1024; // about fifteen records of these traces
        env.put("MEMORY_STORE_MAX_BYTES", Long.toString(maxBytes));
        try (LocalMode local = LocalMode.start(Settings.from(env, new String[0]));
             Clients clients = new Clients(local)) {
            // The first trace complete in the store before the others: its last write comes before theirs.
            Expected first = clients.sendTrace("first", 2);
            clients.flush();
            awaitRecord(local.apiPort(), first);
            List<Expected> sent = new ArrayList<>();
            for (int i = 0; i < 40; i++) sent.add(clients.sendTrace("many-" + i, 2));
            clients.flush();

            awaitRecord(local.apiPort(), sent.get(sent.size() - 1));
            assertThat(get(local.apiPort(), "/api/correlations?trace_id=" + first.traceId).status)
                    .as("the oldest record was evicted").isEqualTo(404);
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + local.apiPort() + "/metrics"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(gauge(metrics, "correlation_memory_store_max_bytes")).isEqualTo(maxBytes);
            assertThat(gauge(metrics, "correlation_memory_store_bytes")).isPositive().isLessThanOrEqualTo(maxBytes);
            assertThat(gauge(metrics, "correlation_memory_store_evictions_total")).isPositive();
            assertThat(gauge(metrics, "correlation_memory_store_records")).isBetween(1L, 40L);
        }
    }

    /** The value of an unlabelled series in Prometheus text. */
    private static long gauge(String prometheusText, String name) {
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith(name + " ")) return Math.round(Double.parseDouble(line.substring(name.length() + 1).trim()));
        }
        throw new AssertionError(name + " not in\n" + prometheusText);
    }

    // ---------------------------------------------------------------- the SDK clients

    /**
     * Two instrumented services: {@code frontend} exports over gRPC, {@code checkout} over HTTP. Simple
     * processors export each span and log as it ends, so {@link #flush} waits for everything sent.
     */
    private static final class Clients implements AutoCloseable {
        private final SdkTracerProvider frontendTraces;
        private final SdkTracerProvider checkoutTraces;
        private final SdkLoggerProvider frontendLogs;
        private final SdkLoggerProvider checkoutLogs;

        Clients(LocalMode local) {
            String grpc = "http://localhost:" + local.otlpGrpcPort();
            String httpBase = "http://localhost:" + local.otlpHttpPort();
            // checkout's logs go to the legacy alias on the query API's port (served there in local mode).
            String apiBase = "http://localhost:" + local.apiPort();
            Resource frontend = Resource.getDefault().merge(Resource.builder()
                    .put(AttributeKey.stringKey("service.name"), "frontend").build());
            Resource checkout = Resource.getDefault().merge(Resource.builder()
                    .put(AttributeKey.stringKey("service.name"), "checkout").build());
            frontendTraces = SdkTracerProvider.builder().setResource(frontend)
                    .addSpanProcessor(SimpleSpanProcessor.create(
                            OtlpGrpcSpanExporter.builder().setEndpoint(grpc).build()))
                    .build();
            checkoutTraces = SdkTracerProvider.builder().setResource(checkout)
                    .addSpanProcessor(SimpleSpanProcessor.create(
                            OtlpHttpSpanExporter.builder().setEndpoint(httpBase + "/v1/traces").build()))
                    .build();
            frontendLogs = SdkLoggerProvider.builder().setResource(frontend)
                    .addLogRecordProcessor(SimpleLogRecordProcessor.create(
                            OtlpGrpcLogRecordExporter.builder().setEndpoint(grpc).build()))
                    .build();
            checkoutLogs = SdkLoggerProvider.builder().setResource(checkout)
                    .addLogRecordProcessor(SimpleLogRecordProcessor.create(
                            OtlpHttpLogRecordExporter.builder().setEndpoint(apiBase + "/api/otlp/v1/logs").build()))
                    .build();
        }

        /** frontend "GET /checkout" → checkout "PlaceOrder", one frontend log and {@code checkoutLogs} checkout logs. */
        Expected sendTrace(String order, int checkoutLogCount) {
            Tracer frontendTracer = frontendTraces.get("it");
            Tracer checkoutTracer = checkoutTraces.get("it");
            Logger frontendLogger = frontendLogs.get("it");
            Logger checkoutLogger = checkoutLogs.get("it");
            Span root = frontendTracer.spanBuilder("GET /checkout").setSpanKind(SpanKind.SERVER).startSpan();
            String traceId = root.getSpanContext().getTraceId();
            try (Scope ignored = root.makeCurrent()) {
                frontendLogger.logRecordBuilder().setSeverity(Severity.INFO).setBody("checkout " + order).emit();
                Span child = checkoutTracer.spanBuilder("PlaceOrder").setSpanKind(SpanKind.SERVER)
                        .setParent(Context.current()).startSpan();
                try (Scope inner = child.makeCurrent()) {
                    for (int i = 0; i < checkoutLogCount; i++) {
                        checkoutLogger.logRecordBuilder().setSeverity(Severity.INFO)
                                .setBody(order + " step " + i).emit();
                    }
                } finally {
                    child.end();
                }
                return new Expected(traceId, 2, 1 + checkoutLogCount, child.getSpanContext());
            } finally {
                root.end();
            }
        }

        /** One more checkout log in a checkout span sent earlier (possibly by another process). */
        void sendLog(SpanContext checkoutSpan) {
            Context context = Context.root().with(Span.wrap(checkoutSpan));
            checkoutLogs.get("it").logRecordBuilder().setContext(context).setSeverity(Severity.WARN)
                    .setBody("late step").emit();
        }

        /** A frontend log outside any span (no trace context), whose text may name a trace. */
        void sendLogWithoutContext(String body) {
            frontendLogs.get("it").logRecordBuilder().setContext(Context.root()).setSeverity(Severity.INFO)
                    .setBody(body).emit();
        }

        void flush() {
            for (var result : List.of(frontendTraces.forceFlush(), checkoutTraces.forceFlush(),
                    frontendLogs.forceFlush(), checkoutLogs.forceFlush())) {
                assertThat(result.join(30, TimeUnit.SECONDS).isSuccess()).as("the SDK's export succeeded").isTrue();
            }
        }

        @Override
        public void close() {
            frontendTraces.close();
            checkoutTraces.close();
            frontendLogs.close();
            checkoutLogs.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private JsonNode awaitRecord(int apiPort, Expected e) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Response last = null;
        while (System.nanoTime() < deadline) {
            last = get(apiPort, "/api/correlations?trace_id=" + e.traceId);
            if (last.status == 200 && last.body.get("span_count").asInt() == e.spans
                    && last.body.get("log_count").asInt() == e.logs) {
                return last.body;
            }
            // The job emits updates every CORRELATION_EMIT_INTERVAL_MS; poll a little faster than that.
            Thread.sleep(200);
        }
        throw new AssertionError("no record with " + e.spans + " spans and " + e.logs + " logs for trace "
                + e.traceId + " within " + WAIT + "; last answer: " + (last == null ? "none" : last.status + " " + last.body));
    }

    /** The service graph of the last day (and the next minute). */
    private static String lastDay() {
        long now = System.currentTimeMillis();
        return "/api/graph?since=" + (now - Duration.ofDays(1).toMillis()) + "&until=" + (now + 60_000);
    }

    /** Polls GET /api/graph (the last day) until its only edge is parent → child with {@code calls}. */
    private JsonNode awaitGraph(int apiPort, String parent, String child, long calls) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Response last = null;
        while (System.nanoTime() < deadline) {
            last = get(apiPort, lastDay());
            JsonNode edges = last.body.path("edges");
            if (last.status == 200 && edges.size() == 1 && edges.get(0).get("parent").asText().equals(parent)
                    && edges.get(0).get("child").asText().equals(child) && edges.get(0).get("calls").asLong() == calls) {
                return last.body;
            }
            Thread.sleep(200); // the graph's totals are written at most once per emit interval
        }
        throw new AssertionError("no graph with " + calls + " calls " + parent + " → " + child + " within " + WAIT
                + "; last answer: " + (last == null ? "none" : last.status + " " + last.body));
    }

    record Response(int status, JsonNode body) {}

    private Response get(int port, String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + pathAndQuery))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), JSON.readTree(r.body()));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private Map<String, String> env(int[] ports) {
        Map<String, String> env = new HashMap<>();
        env.put("DATA_DIR", data.toString());
        env.put("PORT", String.valueOf(ports[0]));
        env.put("OTLP_GRPC_PORT", String.valueOf(ports[1]));
        env.put("OTLP_HTTP_PORT", String.valueOf(ports[2]));
        env.put("FLINK_UI_PORT", String.valueOf(ports[3]));
        env.put("FLINK_METRICS_PORT", String.valueOf(ports[4]));
        env.put("KAFKA_PORT", String.valueOf(ports[5]));
        env.put("KAFKA_CONTROLLER_PORT", String.valueOf(ports[6]));
        env.put("CHECKPOINT_INTERVAL_MS", "2000");
        env.put("API_RATE_LIMIT_RPS", "0");
        return env;
    }

    /** Seven distinct free ports (a restart must find the same ones: the broker's address is in its logs). */
    private static int[] ports() {
        return FreePorts.distinct(7);
    }
}
