package org.correlationstation.core.testdata;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.Severity;
import org.correlationstation.core.model.SpanEvent;

/**
 * Deterministic traces and logs for tests: the same seed gives the same data, so a failing test can be
 * rerun and debugged. Every trace has a root span in {@code gateway} and a tree of spans whose time
 * ranges nest inside their parent's. Most logs carry the span id of a span and a time inside it; some
 * carry only the trace id, with a time inside a span of the same service (so span inference has a
 * candidate); some carry no trace id at all.
 */
public final class TraceGenerator {
    public static final long DEFAULT_BASE_TIME_MILLIS = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();
    public static final String ROOT_SERVICE = "gateway";
    public static final List<String> SERVICES = List.of(ROOT_SERVICE, "checkout", "payments", "inventory", "shipping");

    private static final List<String> ROUTES = List.of("GET /checkout", "POST /orders", "GET /cart", "GET /orders/{id}");
    private static final List<String> OPERATIONS = List.of("charge", "reserve", "lookup", "validate", "publish", "query");
    private static final HexFormat HEX = HexFormat.of();
    private static final long MICRO = 1_000L;
    private static final long MILLI = 1_000_000L;

    private final Random random;
    private long baseTimeMillis = DEFAULT_BASE_TIME_MILLIS;
    private long traceSpacingMillis = 1_000L;
    private String env = "test";
    private int maxSpansPerTrace = 12;
    private int generated;

    public TraceGenerator(long seed) {
        this.random = new Random(seed);
    }

    /** The start of the first trace; trace i starts {@code i × traceSpacingMillis} later. */
    public TraceGenerator baseTimeMillis(long baseTimeMillis) {
        this.baseTimeMillis = baseTimeMillis;
        return this;
    }

    public TraceGenerator traceSpacingMillis(long traceSpacingMillis) {
        this.traceSpacingMillis = traceSpacingMillis;
        return this;
    }

    public TraceGenerator env(String env) {
        this.env = env;
        return this;
    }

    public TraceGenerator maxSpansPerTrace(int maxSpansPerTrace) {
        this.maxSpansPerTrace = Math.max(1, maxSpansPerTrace);
        return this;
    }

    /** The next {@code count} traces; successive calls continue in time. */
    public List<GeneratedTrace> generate(int count) {
        List<GeneratedTrace> traces = new ArrayList<>(count);
        for (int i = 0; i < count; i++) traces.add(trace((baseTimeMillis + generated++ * traceSpacingMillis) * MILLI));
        return traces;
    }

    private GeneratedTrace trace(long startNanos) {
        String traceId = HEX.toHexDigits(nonZeroLong()) + HEX.toHexDigits(random.nextLong());
        List<SpanEvent> spans = new ArrayList<>();
        long rootStart = startNanos + random.nextInt(50_000) * MICRO;
        SpanEvent root = span(traceId, null, ROOT_SERVICE, pick(ROUTES), rootStart,
                rootStart + (200 + random.nextInt(600)) * MILLI);
        spans.add(root);
        addChildren(root, 0, spans);

        List<LogEvent> logs = new ArrayList<>();
        for (SpanEvent span : spans) {
            int n = random.nextInt(3);
            for (int i = 0; i < n; i++) logs.add(log(traceId, span.spanId, span, randomSeverity()));
            if (span.error) logs.add(log(traceId, span.spanId, span, Severity.ERROR));
        }
        if (random.nextInt(2) == 0) {
            // Trace context without a span: the span must be inferred from service and time.
            logs.add(log(traceId, null, pick(spans), randomSeverity()));
        }
        logs.sort(Comparator.comparingLong(l -> l.timeNanos));

        List<LogEvent> untraced = new ArrayList<>();
        if (random.nextInt(3) == 0) untraced.add(log(null, null, pick(spans), randomSeverity()));
        return new GeneratedTrace(traceId, spans, logs, untraced);
    }

    private void addChildren(SpanEvent parent, int depth, List<SpanEvent> spans) {
        int children = depth == 0 ? 1 + random.nextInt(3) : depth < 3 ? random.nextInt(3) : 0;
        for (int i = 0; i < children && spans.size() < maxSpansPerTrace; i++) {
            long parentDuration = parent.endTimeNanos - parent.startTimeNanos;
            long start = parent.startTimeNanos + (long) (random.nextDouble() * parentDuration * 0.5) / MICRO * MICRO;
            long end = start + Math.max(MILLI, (long) (random.nextDouble() * (parent.endTimeNanos - start)) / MICRO * MICRO);
            // Some children are internal spans of the parent's service: no edge, but a span to infer.
            String service = random.nextInt(4) == 0 ? parent.service : pick(SERVICES.subList(1, SERVICES.size()));
            SpanEvent child = span(parent.traceId, parent.spanId, service, pick(OPERATIONS), start, Math.min(end, parent.endTimeNanos));
            spans.add(child);
            addChildren(child, depth + 1, spans);
        }
    }

    private SpanEvent span(String traceId, String parentSpanId, String service, String name, long start, long end) {
        SpanEvent s = new SpanEvent();
        s.traceId = traceId;
        s.spanId = HEX.toHexDigits(nonZeroLong());
        s.parentSpanId = parentSpanId;
        s.name = name;
        s.service = service;
        s.env = env;
        s.startTimeNanos = start;
        s.endTimeNanos = end;
        s.error = random.nextInt(10) == 0;
        return s;
    }

    /** A log of {@code span}'s service with a time inside the span. */
    private LogEvent log(String traceId, String spanId, SpanEvent span, int severity) {
        LogEvent l = new LogEvent();
        l.traceId = traceId;
        l.spanId = spanId;
        l.service = span.service;
        l.env = env;
        l.host = span.service + "-" + (1 + random.nextInt(2));
        long duration = span.endTimeNanos - span.startTimeNanos;
        l.timeNanos = span.startTimeNanos + (long) (random.nextDouble() * duration) / MICRO * MICRO;
        l.severityNumber = severity;
        l.severityText = Severity.shortName(severity);
        l.body = severity >= Severity.ERROR ? span.name + " failed: upstream returned 503" : span.name + " step " + random.nextInt(100);
        return l;
    }

    private int randomSeverity() {
        if (random.nextInt(20) == 0) return Severity.ERROR;
        int r = random.nextInt(10);
        return r < 2 ? Severity.DEBUG : r < 8 ? Severity.INFO : Severity.WARN;
    }

    private long nonZeroLong() {
        long v;
        do v = random.nextLong(); while (v == 0);
        return v;
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }
}
