package org.correlationstation.bench.jmh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.correlationstation.connectors.loki.LokiEntry;
import org.correlationstation.connectors.loki.LokiPushEncoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Loki push encode per entry: a batch of 500 correlated log entries (12 services × 3 levels) to a snappy protobuf PushRequest. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LokiPushEncodeBenchmark {
    static final int ENTRIES = 500;
    private List<LokiEntry> entries;

    @Setup
    public void setUp() {
        String[] levels = {"info", "warn", "error"};
        entries = new ArrayList<>(ENTRIES);
        for (int i = 0; i < ENTRIES; i++) {
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("trace_id", String.format("%032x", 0xabcdef00L + i / 20));
            metadata.put("span_id", String.format("%016x", 0x1000L + i));
            metadata.put("correlation_id", "6ba7b811-9dad-51d1-80b4-" + String.format("%012x", i / 20));
            metadata.put("span_name", "SELECT svc-0" + (i % 12) + "_db");
            metadata.put("host_name", "svc-0" + (i % 12) + "-" + (i % 3));
            entries.add(new LokiEntry(String.format("svc-%02d", i % 12), "bench", levels[i % 3],
                    BenchData.BASE_MILLIS * 1_000_000L + i * 1_000L,
                    "GET /svc-" + (i % 12) + "/items handled request step " + i + " in " + (i % 500) + " ms", metadata));
        }
    }

    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public LokiPushEncoder.Encoded encodePerEntry() {
        return LokiPushEncoder.encode(entries);
    }

    /** The same request through the classes protoc generates from push.proto (issue 25: keep the faster). */
    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public byte[] encodeGeneratedPerEntry() {
        return LokiPushEncoder.encodeGenerated(entries);
    }
}
