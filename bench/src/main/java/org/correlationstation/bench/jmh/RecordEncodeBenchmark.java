package org.correlationstation.bench.jmh;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Redis record encode: one correlation record of a 20-span, 5-service trace to its JSON bytes (what the CAS script gets). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RecordEncodeBenchmark {
    private CorrelationRecord record;

    @Setup
    public void setUp() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        CorrelationRecord r = new CorrelationRecord();
        r.correlationId = CorrelationIds.forTrace(traceId);
        r.traceId = traceId;
        r.version = 3;
        r.firstSeen = "2026-11-23T10:00:00.000Z";
        r.lastSeen = "2026-11-23T10:00:00.412Z";
        r.durationMs = 412;
        r.root = new CorrelationRecord.Root("svc-00", "GET /svc-00/items", "00f067aa0ba902b7");
        r.service = "svc-00";
        r.services = List.of("svc-00", "svc-01", "svc-02", "svc-03", "svc-04");
        r.env = "bench";
        r.spanCount = 20;
        r.logCount = 22;
        r.errorSpanCount = 1;
        r.errorLogCount = 1;
        r.maxSeverity = "ERROR";
        r.hasError = true;
        for (int i = 1; i < 5; i++) r.edges.add(new CorrelationRecord.Edge("svc-00", "svc-0" + i, 3, i == 2 ? 1 : 0));
        for (int i = 0; i < 10; i++) {
            r.links.add(new CorrelationRecord.Link(String.format("%016x", 0x1000L + i), "SELECT svc-0" + (i % 5) + "_db",
                    "svc-0" + (i % 5), 2, i % 3 == 0 ? 1 : 0));
        }
        r.updatedAt = "2026-11-23T10:00:01.500Z";
        record = r;
    }

    @Benchmark
    public byte[] encodeRecord() {
        return RecordCodec.toJsonBytes(record);
    }
}
