package org.correlationstation.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.correlationstation.bench.load.OtlpBatch;
import org.correlationstation.bench.load.Signal;
import org.correlationstation.bench.load.TrafficGenerator;
import org.correlationstation.bench.load.TrafficProfile;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.MalformedOtlpException;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.job.types.TraceLogs;
import org.correlationstation.job.types.TraceSpans;

/** The microbenchmarks' input: the load generator's traffic (default profile), as Kafka messages and decoded. */
public final class BenchData {
    /** Events per generated message: the generator's default batch, a Collector-like size. */
    static final int BATCH = 1024;
    public static final long BASE_MILLIS = 1_790_000_000_000L;
    static final OtlpDecoder DECODER = new OtlpDecoder("bench", 64 << 20);

    private BenchData() {}

    /** The first full message of each signal the generator produces. */
    static OtlpBatch firstFull(Signal signal) {
        TrafficGenerator generator = new TrafficGenerator(TrafficProfile.defaults().withLongTail(0), 11);
        List<OtlpBatch> out = new ArrayList<>();
        for (int i = 0; out.stream().noneMatch(b -> b.signal() == signal); i++) generator.nextTrace(BASE_MILLIS + i, out::add);
        OtlpBatch batch = out.stream().filter(b -> b.signal() == signal).findFirst().orElseThrow();
        if (batch.events() != BATCH) throw new IllegalStateException("expected a full batch, got " + batch.events());
        return batch;
    }

    /** Decoded events in the order a Kafka consumer of both topics could see them: spans and logs of a message alternate. */
    static List<Object> events(int traces) throws MalformedOtlpException {
        return events(traces, TrafficProfile.defaults().withLongTail(0).withLate(0, 0));
    }

    /** {@link #events(int)} of traffic of the given shape. */
    public static List<Object> events(int traces, TrafficProfile profile) throws MalformedOtlpException {
        TrafficGenerator generator = new TrafficGenerator(profile, 12);
        List<OtlpBatch> out = new ArrayList<>();
        for (int i = 0; i < traces; i++) generator.nextTrace(BASE_MILLIS + i * 5L, out::add);
        generator.flush(out::add);
        List<Object> events = new ArrayList<>();
        for (OtlpBatch b : out) {
            byte[] bytes = b.message().toByteArray();
            if (b.signal() == Signal.SPANS) {
                List<SpanEvent> spans = DECODER.decodeSpans(bytes, OtlpEncoding.OTLP_PROTO);
                events.addAll(spans);
            } else {
                List<LogEvent> logs = DECODER.decodeLogs(bytes, OtlpEncoding.OTLP_PROTO, BASE_MILLIS);
                events.addAll(logs);
            }
        }
        return events;
    }

    /** Consecutive events of one trace and signal as one batch, as the source groups a message's events. */
    public static List<Object> batches(List<Object> events) {
        List<Object> batches = new ArrayList<>();
        List<Object> run = new ArrayList<>();
        for (Object e : events) {
            if (!run.isEmpty() && !sameBatch(run.get(0), e)) {
                batches.add(batch(run));
                run.clear();
            }
            run.add(e);
        }
        if (!run.isEmpty()) batches.add(batch(run));
        return batches;
    }

    /** Feeds one batch of {@link #batches} to the correlator's harness, at its latest event time, which it returns. */
    public static long feed(KeyedTwoInputStreamOperatorTestHarness<String, TraceSpans, TraceLogs, CorrelationRecord> harness,
            Object batch) throws Exception {
        long t = Long.MIN_VALUE;
        if (batch instanceof TraceSpans spans) {
            for (SpanEvent s : spans.spans) t = Math.max(t, s.eventTimeMillis());
            harness.processElement1(new StreamRecord<>(spans, t));
        } else {
            TraceLogs logs = (TraceLogs) batch;
            for (LogEvent l : logs.logs) t = Math.max(t, l.eventTimeMillis());
            harness.processElement2(new StreamRecord<>(logs, t));
        }
        return t;
    }

    /** Events in a batch of {@link #batches}. */
    public static int size(Object batch) {
        return batch instanceof TraceSpans spans ? spans.spans.length : ((TraceLogs) batch).logs.length;
    }

    private static boolean sameBatch(Object first, Object e) {
        if (first instanceof SpanEvent s) return e instanceof SpanEvent b && s.traceId.equals(b.traceId);
        return e instanceof LogEvent b && ((LogEvent) first).traceId.equals(b.traceId);
    }

    private static Object batch(List<Object> run) {
        if (run.get(0) instanceof SpanEvent s) return new TraceSpans(s.traceId, run.toArray(new SpanEvent[0]));
        return new TraceLogs(((LogEvent) run.get(0)).traceId, run.toArray(new LogEvent[0]));
    }
}
