package org.correlationstation.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import org.correlationstation.bench.load.OtlpBatch;
import org.correlationstation.bench.load.Signal;
import org.correlationstation.bench.load.TrafficGenerator;
import org.correlationstation.bench.load.TrafficProfile;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.MalformedOtlpException;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;

/** The microbenchmarks' input: the load generator's traffic (default profile), as Kafka messages and decoded. */
final class BenchData {
    /** Events per generated message: the generator's default batch, a Collector-like size. */
    static final int BATCH = 1024;
    static final long BASE_MILLIS = 1_790_000_000_000L;
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
        TrafficGenerator generator = new TrafficGenerator(TrafficProfile.defaults().withLongTail(0).withLate(0, 0), 12);
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
}
