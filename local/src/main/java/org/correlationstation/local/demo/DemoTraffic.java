package org.correlationstation.local.demo;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code local --demo}: a small shop's traffic sent to the local OTLP/HTTP receiver, so a newcomer
 * sees correlations without an SDK. Each trace is frontend → checkout → inventory and payments,
 * with logs on most spans, one log without a span id (joined by time), about one trace in ten
 * failing in payments, and now and then a log outside any trace.
 */
public final class DemoTraffic implements AutoCloseable {
    private static final Duration PERIOD = Duration.ofMillis(500);
    private static final String SCOPE = "correlation-station-demo";

    private final URI traces;
    private final URI logs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "demo-traffic");
        t.setDaemon(true);
        return t;
    });
    private final Random random = new Random();
    private final AtomicLong sent = new AtomicLong();
    private final Consumer<String> console;

    /** @param otlpHttp the receiver's base URL, e.g. {@code http://localhost:4318} */
    public DemoTraffic(URI otlpHttp, Consumer<String> console) {
        this.traces = otlpHttp.resolve("/v1/traces");
        this.logs = otlpHttp.resolve("/v1/logs");
        this.console = console;
    }

    public void start(int apiPort) {
        timer.scheduleAtFixedRate(() -> sendOne(apiPort), 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    public long sent() {
        return sent.get();
    }

    private void sendOne(int apiPort) {
        try {
            DemoTrace trace = build(System.currentTimeMillis());
            post(traces, trace.spans.toByteArray());
            post(logs, trace.logs.toByteArray());
            long n = sent.incrementAndGet();
            if (n == 1) {
                console.accept("demo: sending a trace every " + PERIOD.toMillis() + " ms; the first one:\n"
                        + "  curl 'localhost:" + apiPort + "/api/correlations?trace_id=" + trace.traceId + "'");
            }
        } catch (Exception e) {
            console.accept("demo: could not send a trace: " + e.getMessage());
        }
    }

    private void post(URI uri, byte[] body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/x-protobuf")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(uri.getPath() + " answered " + response.statusCode() + " " + response.body());
        }
    }

    record DemoTrace(String traceId, ExportTraceServiceRequest spans, ExportLogsServiceRequest logs) {}

    /** One shop request starting at {@code startMillis}. */
    DemoTrace build(long startMillis) {
        byte[] traceId = new byte[16];
        random.nextBytes(traceId);
        boolean fails = random.nextInt(10) == 0;
        long t0 = startMillis * 1_000_000L;
        Map<String, List<Span>> spans = new LinkedHashMap<>();
        Map<String, List<LogRecord>> logs = new LinkedHashMap<>();

        byte[] root = spanId();
        byte[] checkout = spanId();
        byte[] inventory = spanId();
        byte[] payments = spanId();
        long ms = 1_000_000L;
        add(spans, "frontend", span(traceId, root, null, "GET /checkout", Span.SpanKind.SPAN_KIND_SERVER, t0, t0 + 180 * ms, fails));
        add(spans, "checkout", span(traceId, checkout, root, "PlaceOrder", Span.SpanKind.SPAN_KIND_SERVER, t0 + 10 * ms, t0 + 170 * ms, fails));
        add(spans, "inventory", span(traceId, inventory, checkout, "ReserveItems", Span.SpanKind.SPAN_KIND_SERVER, t0 + 20 * ms, t0 + 60 * ms, false));
        add(spans, "payments", span(traceId, payments, checkout, "Charge", Span.SpanKind.SPAN_KIND_SERVER, t0 + 70 * ms, t0 + 160 * ms, fails));

        add(logs, "frontend", log(traceId, root, t0 + 1 * ms, SeverityNumber.SEVERITY_NUMBER_INFO, "checkout requested"));
        add(logs, "checkout", log(traceId, checkout, t0 + 12 * ms, SeverityNumber.SEVERITY_NUMBER_INFO, "placing order"));
        add(logs, "inventory", log(traceId, inventory, t0 + 30 * ms, SeverityNumber.SEVERITY_NUMBER_DEBUG, "3 items reserved"));
        // No span id: the job joins it to the innermost span open at its time (payments' Charge).
        add(logs, "payments", log(traceId, null, t0 + 90 * ms, SeverityNumber.SEVERITY_NUMBER_INFO, "calling the card network"));
        if (fails) {
            add(logs, "payments", log(traceId, payments, t0 + 150 * ms, SeverityNumber.SEVERITY_NUMBER_ERROR, "card declined"));
            add(logs, "checkout", log(traceId, checkout, t0 + 165 * ms, SeverityNumber.SEVERITY_NUMBER_WARN, "order not placed: payment failed"));
        } else {
            add(logs, "checkout", log(traceId, checkout, t0 + 165 * ms, SeverityNumber.SEVERITY_NUMBER_INFO, "order placed"));
        }
        if (random.nextInt(20) == 0) {
            add(logs, "frontend", log(null, null, t0, SeverityNumber.SEVERITY_NUMBER_INFO, "cache refreshed"));
        }

        ExportTraceServiceRequest.Builder spanRequest = ExportTraceServiceRequest.newBuilder();
        spans.forEach((service, list) -> spanRequest.addResourceSpans(ResourceSpans.newBuilder()
                .setResource(resource(service))
                .addScopeSpans(ScopeSpans.newBuilder().setScope(scope()).addAllSpans(list))));
        ExportLogsServiceRequest.Builder logRequest = ExportLogsServiceRequest.newBuilder();
        logs.forEach((service, list) -> logRequest.addResourceLogs(ResourceLogs.newBuilder()
                .setResource(resource(service))
                .addScopeLogs(ScopeLogs.newBuilder().setScope(scope()).addAllLogRecords(list))));
        return new DemoTrace(HexFormat.of().formatHex(traceId), spanRequest.build(), logRequest.build());
    }

    private static <T> void add(Map<String, List<T>> byService, String service, T item) {
        byService.computeIfAbsent(service, s -> new ArrayList<>()).add(item);
    }

    private byte[] spanId() {
        byte[] id = new byte[8];
        random.nextBytes(id);
        return id;
    }

    private static Span span(byte[] traceId, byte[] id, byte[] parent, String name, Span.SpanKind kind,
                             long start, long end, boolean error) {
        Span.Builder span = Span.newBuilder()
                .setTraceId(ByteString.copyFrom(traceId))
                .setSpanId(ByteString.copyFrom(id))
                .setName(name)
                .setKind(kind)
                .setStartTimeUnixNano(start)
                .setEndTimeUnixNano(end)
                .setStatus(Status.newBuilder().setCode(error ? Status.StatusCode.STATUS_CODE_ERROR : Status.StatusCode.STATUS_CODE_OK));
        if (parent != null) span.setParentSpanId(ByteString.copyFrom(parent));
        return span.build();
    }

    private static LogRecord log(byte[] traceId, byte[] spanId, long time, SeverityNumber severity, String body) {
        LogRecord.Builder log = LogRecord.newBuilder()
                .setTimeUnixNano(time)
                .setObservedTimeUnixNano(time)
                .setSeverityNumber(severity)
                .setSeverityText(severity.name().substring("SEVERITY_NUMBER_".length()))
                .setBody(AnyValue.newBuilder().setStringValue(body));
        if (traceId != null) log.setTraceId(ByteString.copyFrom(traceId));
        if (spanId != null) log.setSpanId(ByteString.copyFrom(spanId));
        return log.build();
    }

    private static Resource resource(String service) {
        return Resource.newBuilder()
                .addAttributes(attribute("service.name", service))
                .addAttributes(attribute("deployment.environment", "demo"))
                .addAttributes(attribute("host.name", service + "-1"))
                .build();
    }

    private static InstrumentationScope scope() {
        return InstrumentationScope.newBuilder().setName(SCOPE).build();
    }

    private static KeyValue attribute(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
