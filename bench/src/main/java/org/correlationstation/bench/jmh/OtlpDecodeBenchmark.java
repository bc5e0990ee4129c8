package org.correlationstation.bench.jmh;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.correlationstation.bench.load.Signal;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** OTLP decode per event: one Collector-sized protobuf message (1024 spans or logs) to normalised events. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OtlpDecodeBenchmark {
    private byte[] spans;
    private byte[] logs;

    @Setup
    public void setUp() {
        spans = BenchData.firstFull(Signal.SPANS).message().toByteArray();
        logs = BenchData.firstFull(Signal.LOGS).message().toByteArray();
    }

    @Benchmark
    @OperationsPerInvocation(BenchData.BATCH)
    public List<SpanEvent> decodeSpanPerSpan() throws Exception {
        return BenchData.DECODER.decodeSpans(spans, OtlpEncoding.OTLP_PROTO);
    }

    @Benchmark
    @OperationsPerInvocation(BenchData.BATCH)
    public List<LogEvent> decodeLogPerLog() throws Exception {
        return BenchData.DECODER.decodeLogs(logs, OtlpEncoding.OTLP_PROTO, BenchData.BASE_MILLIS);
    }
}
