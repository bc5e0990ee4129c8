package org.correlationstation.bench.load;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.correlationstation.core.model.Severity;

/**
 * Generates OTLP traffic as a Collector's batch processor would hand it to its Kafka exporter: spans
 * and logs of many traces mixed in batches of {@code batchSize} events, one resource per service, with
 * big traces spread over several batches. Builds the protobuf messages directly (no intermediate
 * events) so that generating is much cheaper than decoding. Deterministic for a seed and clock.
 * Not thread-safe: one generator per sending thread.
 */
public final class TrafficGenerator {
    private static final HexFormat HEX = HexFormat.of();
    private static final long MILLI = 1_000_000L;
    private static final int HOSTS_PER_SERVICE = 3;
    private static final InstrumentationScope SCOPE =
            InstrumentationScope.newBuilder().setName("correlation-station-bench").setVersion("1").build();

    private final TrafficProfile profile;
    private final SplittableRandom random;
    private final Resource[] spanResources;
    private final Resource[] logResources;
    private final String[][] operations;
    /** {@link #serviceName} of each service: String.format was a third of the generator's CPU. */
    private final String[] serviceNames;
    private final Batch<Span> spans;
    private final Batch<LogRecord> logs;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final byte[] idBytes = new byte[16];

    private long now;
    private long traces;
    private long spanCount;
    private long tracedLogCount;
    private long untracedLogCount;

    private record Held(long releaseMillis, int service, Span span) {}

    public TrafficGenerator(TrafficProfile profile, long seed) {
        this.profile = profile;
        this.random = new SplittableRandom(seed);
        spanResources = new Resource[profile.services()];
        logResources = new Resource[profile.services() * HOSTS_PER_SERVICE];
        operations = new String[profile.services()][];
        serviceNames = new String[profile.services()];
        for (int s = 0; s < profile.services(); s++) {
            String service = serviceName(s);
            serviceNames[s] = service;
            spanResources[s] = resource(service, null);
            for (int h = 0; h < HOSTS_PER_SERVICE; h++) {
                logResources[s * HOSTS_PER_SERVICE + h] = resource(service, service + "-" + h);
            }
            operations[s] = new String[] {"GET /" + service + "/items", "POST /" + service + "/orders",
                    "SELECT " + service + "_db", "publish " + service + ".events", "cache.get " + service};
        }
        spans = new Batch<>(spanResources.length);
        logs = new Batch<>(logResources.length);
    }

    public static String serviceName(int index) {
        return String.format("svc-%02d", index);
    }

    /**
     * Generates one trace at wall-clock {@code nowMillis}; every batch that fills up goes to {@code out}.
     * Late root spans are held back until {@link #releaseDue} passes their release time.
     */
    public SentTrace nextTrace(long nowMillis, Consumer<OtlpBatch> out) {
        now = nowMillis;
        traces++;
        int n = spanCountOfNextTrace();
        ByteString traceId = randomId(16);
        long end = (nowMillis - (profile.outOfOrderMs() == 0 ? 0 : random.nextLong(profile.outOfOrderMs() + 1))) * MILLI;
        long rootDuration = (20 + random.nextLong(480)) * MILLI + random.nextLong(1000) * 1000;
        boolean late = profile.lateShare() > 0 && random.nextDouble() < profile.lateShare();

        long[] starts = new long[n];
        long[] ends = new long[n];
        ByteString[] ids = new ByteString[n];
        int[] services = new int[n];
        starts[0] = end - rootDuration;
        ends[0] = end;
        int rootService = random.nextInt(profile.services());
        int errorSpans = 0;
        int logsWithSpanId = 0;
        int logsTraceOnly = 0;
        Map<String, long[]> edges = new LinkedHashMap<>();   // "parent>child" → {calls, errors}, for the graph check
        for (int i = 0; i < n; i++) {
            int parent = i == 0 ? -1 : random.nextInt(i);   // a random recursive tree: bushy near the root
            if (i > 0) {
                long parentDuration = Math.max(2_000, ends[parent] - starts[parent]);
                starts[i] = starts[parent] + random.nextLong(parentDuration / 2);
                ends[i] = Math.min(ends[parent], starts[i] + 1_000 + random.nextLong(Math.max(1, ends[parent] - starts[i])));
                services[i] = random.nextInt(4) == 0 ? services[parent] : random.nextInt(profile.services());
            } else {
                services[i] = rootService;
            }
            ids[i] = randomId(8);
            boolean error = random.nextDouble() < profile.errorRate();
            if (error) errorSpans++;
            if (parent >= 0 && services[parent] != services[i]) {
                long[] edge = edges.computeIfAbsent(serviceNames[services[parent]] + ">" + serviceNames[services[i]], k -> new long[2]);
                edge[0]++;
                if (error) edge[1]++;
            }
            String operation = operations[services[i]][random.nextInt(operations[services[i]].length)];
            Span.Builder span = Span.newBuilder()
                    .setTraceId(traceId)
                    .setSpanId(ids[i])
                    .setName(operation)
                    .setKind(i == 0 ? Span.SpanKind.SPAN_KIND_SERVER : Span.SpanKind.SPAN_KIND_INTERNAL)
                    .setStartTimeUnixNano(starts[i])
                    .setEndTimeUnixNano(ends[i])
                    .addAttributes(attribute("http.route", operation))
                    .addAttributes(attribute("net.peer.name", serviceNames[services[i]]));
            if (parent >= 0) span.setParentSpanId(ids[parent]);
            if (error) span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("upstream 503"));
            if (i == 0 && late) {
                held.add(new Held(nowMillis + profile.lateMs(), services[i], span.build()));
            } else {
                add(spans, services[i], span.build(), Signal.SPANS, out);
            }

            int logCount = poisson(profile.logsPerSpan()) + (error ? 1 : 0);
            // A span's logs get consecutive steps: two logs with the same time, span and body are one log
            // sent twice to the correlator (it keeps the first, as it does a redelivered one), and a span
            // of the long tail can be so short that its logs share their time.
            int firstStep = random.nextInt(100);
            for (int l = 0; l < logCount; l++) {
                boolean errorLog = error && l == logCount - 1;
                double r = random.nextDouble();
                boolean untraced = r < profile.logsWithoutTraceId();
                boolean traceOnly = !untraced && r < profile.logsWithoutTraceId() + profile.logsWithoutSpanId();
                long time = starts[i] + random.nextLong(Math.max(1, ends[i] - starts[i]));
                int severity = errorLog ? Severity.ERROR : randomSeverity();
                LogRecord.Builder log = LogRecord.newBuilder()
                        .setTimeUnixNano(time)
                        .setObservedTimeUnixNano(time)
                        .setSeverityNumberValue(severity)
                        .setSeverityText(Severity.shortName(severity))
                        .setBody(AnyValue.newBuilder().setStringValue(errorLog
                                ? operation + " failed: upstream returned 503 after 3 retries"
                                : operation + " handled request step " + (firstStep + l) % 100 + " in " + random.nextInt(500) + " ms"));
                if (untraced) {
                    untracedLogCount++;
                } else {
                    log.setTraceId(traceId);
                    if (traceOnly) {
                        logsTraceOnly++;
                    } else {
                        log.setSpanId(ids[i]);
                        logsWithSpanId++;
                    }
                    tracedLogCount++;
                }
                add(logs, services[i] * HOSTS_PER_SERVICE + random.nextInt(HOSTS_PER_SERVICE), log.build(), Signal.LOGS, out);
            }
        }
        spanCount += n;
        return new SentTrace(HEX.formatHex(traceId.toByteArray()), serviceNames[rootService], n, logsWithSpanId,
                logsTraceOnly, errorSpans, late ? 1 : 0, encode(edges));
    }

    private static String encode(Map<String, long[]> edges) {
        StringBuilder b = new StringBuilder();
        edges.forEach((pair, c) -> b.append(b.length() == 0 ? "" : ",").append(pair).append(':').append(c[0]).append(':').append(c[1]));
        return b.toString();
    }

    /** Sends held-back late spans due by {@code nowMillis}, and partial batches older than the batch timeout. */
    public void releaseDue(long nowMillis, Consumer<OtlpBatch> out) {
        now = nowMillis;
        while (!held.isEmpty() && held.peek().releaseMillis <= nowMillis) {
            Held h = held.poll();
            add(spans, h.service, h.span, Signal.SPANS, out);
        }
        if (spans.size > 0 && nowMillis - spans.openedMillis >= profile.batchTimeoutMs()) out.accept(build(spans, Signal.SPANS));
        if (logs.size > 0 && nowMillis - logs.openedMillis >= profile.batchTimeoutMs()) out.accept(build(logs, Signal.LOGS));
    }

    /** Sends everything still pending, held-back late spans included. */
    public void flush(Consumer<OtlpBatch> out) {
        while (!held.isEmpty()) {
            Held h = held.poll();
            add(spans, h.service, h.span, Signal.SPANS, out);
        }
        if (spans.size > 0) out.accept(build(spans, Signal.SPANS));
        if (logs.size > 0) out.accept(build(logs, Signal.LOGS));
    }

    public long traces() {
        return traces;
    }

    public long spans() {
        return spanCount;
    }

    /** Logs that carry a trace id (and so count towards a record's log_count). */
    public long tracedLogs() {
        return tracedLogCount;
    }

    public long untracedLogs() {
        return untracedLogCount;
    }

    /** Every event generated so far: spans and logs. */
    public long events() {
        return spanCount + tracedLogCount + untracedLogCount;
    }

    private int spanCountOfNextTrace() {
        if (profile.longTailShare() > 0 && random.nextDouble() < profile.longTailShare()) {
            double lo = Math.log(Math.max(profile.spansPerTrace() * 5.0, 100));
            double hi = Math.log(profile.maxSpansPerTrace());
            return (int) Math.min(profile.maxSpansPerTrace(), Math.round(Math.exp(lo + random.nextDouble() * Math.max(0, hi - lo))));
        }
        // log-normal around the median, σ = 0.6: most traces 7–60 spans for a median of 20
        double n = profile.spansPerTrace() * Math.exp(0.6 * gaussian());
        return (int) Math.max(1, Math.min(profile.maxSpansPerTrace(), Math.round(n)));
    }

    private double gaussian() {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private int poisson(double mean) {
        if (mean <= 0) return 0;
        double l = Math.exp(-mean);
        int k = 0;
        double p = random.nextDouble();
        while (p > l) {
            k++;
            p *= random.nextDouble();
        }
        return k;
    }

    private int randomSeverity() {
        int r = random.nextInt(20);
        return r == 0 ? Severity.ERROR : r < 4 ? Severity.DEBUG : r < 16 ? Severity.INFO : Severity.WARN;
    }

    private ByteString randomId(int length) {
        long a;
        do a = random.nextLong(); while (a == 0);
        putLong(idBytes, 0, a);
        if (length == 16) putLong(idBytes, 8, random.nextLong());
        return ByteString.copyFrom(idBytes, 0, length);
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private <T> void add(Batch<T> batch, int resource, T item, Signal signal, Consumer<OtlpBatch> out) {
        if (batch.size == 0) batch.openedMillis = now;
        batch.byResource.computeIfAbsent(resource, r -> new ArrayList<>()).add(item);
        batch.size++;
        if (batch.size >= profile.batchSize()) out.accept(build(batch, signal));
    }

    @SuppressWarnings("unchecked")
    private OtlpBatch build(Batch<?> batch, Signal signal) {
        int events = batch.size;
        OtlpBatch built;
        if (signal == Signal.SPANS) {
            TracesData.Builder data = TracesData.newBuilder();
            ((Batch<Span>) batch).byResource.forEach((r, list) -> data.addResourceSpans(ResourceSpans.newBuilder()
                    .setResource(spanResources[r]).addScopeSpans(ScopeSpans.newBuilder().setScope(SCOPE).addAllSpans(list))));
            built = new OtlpBatch(signal, data.build(), events);
        } else {
            LogsData.Builder data = LogsData.newBuilder();
            ((Batch<LogRecord>) batch).byResource.forEach((r, list) -> data.addResourceLogs(ResourceLogs.newBuilder()
                    .setResource(logResources[r]).addScopeLogs(ScopeLogs.newBuilder().setScope(SCOPE).addAllLogRecords(list))));
            built = new OtlpBatch(signal, data.build(), events);
        }
        batch.byResource.clear();
        batch.size = 0;
        return built;
    }

    private static Resource resource(String service, String host) {
        Resource.Builder r = Resource.newBuilder()
                .addAttributes(attribute("service.name", service))
                .addAttributes(attribute("deployment.environment.name", "bench"))
                .addAttributes(attribute("telemetry.sdk.language", "java"));
        if (host != null) r.addAttributes(attribute("host.name", host));
        return r.build();
    }

    private static KeyValue attribute(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    /** The events of one signal waiting to go out, grouped by resource in order of first appearance. */
    private static final class Batch<T> {
        final Map<Integer, List<T>> byResource;
        int size;
        long openedMillis;

        Batch(int resources) {
            byResource = new LinkedHashMap<>(resources * 2);
        }
    }
}
