package org.correlationstation.bench.jmh;

import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.correlationstation.bench.load.Signal;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.correlationstation.core.testdata.OtlpMessages;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * OTLP decode per event: one Collector-sized message (1024 spans or logs) to normalised events, as protobuf
 * and as OTLP/JSON (camelCase keys, enums as numbers, hex ids: what the Collector and the SDKs send).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OtlpDecodeBenchmark {
    private byte[] spans;
    private byte[] logs;
    private byte[] spansJson;
    private byte[] logsJson;
    private String spansProtobufJson;

    @Setup
    public void setUp() {
        spans = BenchData.firstFull(Signal.SPANS).message().toByteArray();
        logs = BenchData.firstFull(Signal.LOGS).message().toByteArray();
        spansJson = OtlpMessages.toJson(BenchData.firstFull(Signal.SPANS).message());
        logsJson = OtlpMessages.toJson(BenchData.firstFull(Signal.LOGS).message());
        try {
            spansProtobufJson = JsonFormat.printer().print(BenchData.firstFull(Signal.SPANS).message());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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

    @Benchmark
    @OperationsPerInvocation(BenchData.BATCH)
    public List<SpanEvent> decodeJsonSpanPerSpan() throws Exception {
        return BenchData.DECODER.decodeSpans(spansJson, OtlpEncoding.OTLP_JSON);
    }

    @Benchmark
    @OperationsPerInvocation(BenchData.BATCH)
    public List<LogEvent> decodeJsonLogPerLog() throws Exception {
        return BenchData.DECODER.decodeLogs(logsJson, OtlpEncoding.OTLP_JSON, BenchData.BASE_MILLIS);
    }

    /**
     * For comparison: protobuf's own JSON parser on the same spans (with base64 ids, which it takes as
     * they are). The decoder used it until session 17, after a Jackson tree pass that rewrote the ids.
     */
    @Benchmark
    @OperationsPerInvocation(BenchData.BATCH)
    public TracesData jsonFormatParseSpanPerSpan() throws Exception {
        TracesData.Builder builder = TracesData.newBuilder();
        JsonFormat.parser().ignoringUnknownFields().merge(spansProtobufJson, builder);
        return builder.build();
    }
}
