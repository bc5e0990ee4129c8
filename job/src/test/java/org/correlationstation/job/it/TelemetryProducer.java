package org.correlationstation.job.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;

/**
 * Writes generated telemetry the way a Collector's kafka exporter would: several traces per message, in
 * event-time order but shuffled within the out-of-orderness bound, with any of the three key styles.
 */
final class TelemetryProducer {
    private static final int EVENTS_PER_MESSAGE = 8;
    /** Messages shuffled among each other: 10 × 8 events of ~10 ms apart, far inside a 2 s bound. */
    private static final int SHUFFLE_WINDOW = 10;

    /** The trace of the watermark pusher's span and log. */
    static final String PUSHER_TRACE = "ffffffffffffffffffffffffffffffff";

    private final EmbeddedKafka kafka;
    private final Random random;

    TelemetryProducer(EmbeddedKafka kafka, long seed) {
        this.kafka = kafka;
        this.random = new Random(seed);
    }

    int spans(String topic, List<SpanEvent> spans) throws Exception {
        List<SpanEvent> sorted = new ArrayList<>(spans);
        sorted.sort(Comparator.comparingLong(SpanEvent::eventTimeMillis));
        return send(topic, sorted, chunk -> OtlpMessages.traces(chunk).toByteArray(), s -> s.traceId);
    }

    int logsAsJson(String topic, List<LogEvent> logs) throws Exception {
        List<LogEvent> sorted = new ArrayList<>(logs);
        sorted.sort(Comparator.comparingLong(LogEvent::eventTimeMillis));
        return send(topic, sorted, chunk -> OtlpMessages.toJson(OtlpMessages.logs(chunk)), l -> l.traceId);
    }

    /**
     * One span and one log of their own trace ({@link #PUSHER_TRACE}), 30 min of event time after the
     * last of {@code traces}, to {@code name-spans} and {@code name-logs}: they move the watermark past
     * every trace's window, which closes them all. Returns the log, which reaches Loki like any other.
     */
    LogEvent pushWatermarkPast(String name, List<GeneratedTrace> traces) throws Exception {
        long future = pastEveryTrace(traces);
        LogEvent log = pusherLog(future, "watermark");
        spans(name + "-spans", List.of(pusherSpan(future, "ffffffffffffffff")));
        logsAsJson(name + "-logs", List.of(log));
        return log;
    }

    /**
     * As {@link #pushWatermarkPast}, but to every partition of both topics, so that the watermark passes
     * the traces only once every partition has delivered what was sent before it: for tests that turn
     * source idleness off (a back-pressured partition can otherwise be declared idle and let the
     * watermark run ahead of its data).
     */
    void pushWatermarkPastOnEveryPartition(String name, List<GeneratedTrace> traces, int partitions) throws Exception {
        long future = pastEveryTrace(traces);
        for (int p = 0; p < partitions; p++) {
            SpanEvent span = pusherSpan(future, String.format("fffffffffffffff%x", p));
            LogEvent log = pusherLog(future, "watermark " + p);
            kafka.produce(new ProducerRecord<>(name + "-spans", p, null, OtlpMessages.traces(List.of(span)).toByteArray()));
            kafka.produce(new ProducerRecord<>(name + "-logs", p, null,
                    OtlpMessages.toJson(OtlpMessages.logs(List.of(log)))));
        }
    }

    /** 30 min of event time after the last span of {@code traces}. */
    private static long pastEveryTrace(List<GeneratedTrace> traces) {
        long last = traces.stream().flatMap(t -> t.spans().stream()).mapToLong(SpanEvent::endMillis).max().orElseThrow();
        return last + Duration.ofMinutes(30).toMillis();
    }

    static SpanEvent pusherSpan(long timeMillis, String spanId) {
        SpanEvent span = new SpanEvent();
        span.traceId = PUSHER_TRACE;
        span.spanId = spanId;
        span.name = "watermark";
        span.service = "pusher";
        span.env = "test";
        span.startTimeNanos = timeMillis * 1_000_000L;
        span.endTimeNanos = span.startTimeNanos;
        return span;
    }

    static LogEvent pusherLog(long timeMillis, String body) {
        LogEvent log = new LogEvent();
        log.traceId = PUSHER_TRACE;
        log.service = "pusher";
        log.env = "test";
        log.timeNanos = timeMillis * 1_000_000L;
        log.body = body;
        return log;
    }

    private <E> int send(String topic, List<E> events, Function<List<E>, byte[]> encode, Function<E, String> traceOf)
            throws Exception {
        List<List<E>> messages = new ArrayList<>();
        for (int i = 0; i < events.size(); i += EVENTS_PER_MESSAGE) {
            messages.add(events.subList(i, Math.min(events.size(), i + EVENTS_PER_MESSAGE)));
        }
        for (int i = 0; i < messages.size(); i += SHUFFLE_WINDOW) {
            Collections.shuffle(messages.subList(i, Math.min(messages.size(), i + SHUFFLE_WINDOW)), random);
        }
        for (List<E> message : messages) {
            kafka.produce(topic, key(traceOf.apply(message.get(0))), encode.apply(message));
        }
        return messages.size();
    }

    /** The key may be null, the hex trace id or its 16 raw bytes: the job must not rely on it. */
    private byte[] key(String traceId) {
        switch (random.nextInt(3)) {
            case 0: return null;
            case 1: return traceId == null ? null : traceId.getBytes(StandardCharsets.UTF_8);
            default: return traceId == null ? null : HexFormat.of().parseHex(traceId);
        }
    }
}
