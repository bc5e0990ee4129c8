package org.correlationstation.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.correlationstation.job.correlate.TraceCorrelatorOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.job.correlate.CorrelationSettings;
import org.correlationstation.job.correlate.TraceCorrelator;
import org.correlationstation.job.correlate.TraceIdOfLog;
import org.correlationstation.job.correlate.TraceIdOfSpan;
import org.correlationstation.job.types.CompactTypes;
import org.correlationstation.job.types.TraceLogs;
import org.correlationstation.job.types.TraceSpans;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Correlator update per event: the job's {@link TraceCorrelator} in Flink's keyed two-input operator
 * harness, fed the generator's decoded spans and traced logs in stream order, consecutive events of
 * one trace and signal as one batch (as the source groups a message's events), with event time and
 * processing time advancing every 4096 events so that timers fire, records are emitted and closed
 * traces are cleared, as in the job. State backend: heap ({@code hashmap}) or RocksDB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CorrelatorBenchmark {
    static final int EVENTS_PER_INVOCATION = 64;
    private static final int ADVANCE_EVERY = 4096;

    @Param({"hashmap", "rocksdb"})
    public String backend;

    /** Consecutive events of one trace and signal as one batch, as the source groups a message's events. */
    private List<Object> batches;
    private KeyedTwoInputStreamOperatorTestHarness<String, TraceSpans, TraceLogs, CorrelationRecord> harness;
    private int next;
    private long sinceAdvance;
    private long maxEventTime;

    @Setup(Level.Trial)
    public void generate() throws Exception {
        // logs without a trace id never reach the correlator (the log router sends them to Loki directly)
        List<Object> events = BenchData.events(5_000).stream()
                .filter(e -> !(e instanceof LogEvent l) || l.traceId != null).toList();
        // batches never straddle an invocation's events, so that each invocation handles exactly its share
        batches = new ArrayList<>();
        for (int from = 0; from + EVENTS_PER_INVOCATION <= events.size(); from += EVENTS_PER_INVOCATION) {
            batches.addAll(BenchData.batches(events.subList(from, from + EVENTS_PER_INVOCATION)));
            batches.add(END_OF_INVOCATION);
        }
    }

    @Setup(Level.Iteration)
    public void open() throws Exception {
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                new TraceCorrelatorOperator(CorrelationSettings.defaults()),
                new TraceIdOfSpan(), new TraceIdOfLog(), CompactTypes.TRACE_ID_KEY);
        if (backend.equals("rocksdb")) {
            // the harness's mock task has almost no managed memory: RocksDB would flush its memtable constantly
            EmbeddedRocksDBStateBackend rocksDb = new EmbeddedRocksDBStateBackend();
            rocksDb.getMemoryConfiguration().setUseManagedMemory(false);
            harness.setStateBackend(rocksDb);
        }
        harness.setup();
        harness.open();
        harness.setProcessingTime(BenchData.BASE_MILLIS);
        next = 0;
        maxEventTime = 0;
    }

    @TearDown(Level.Iteration)
    public void close() throws Exception {
        harness.close();
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS_PER_INVOCATION)
    public void update() throws Exception {
        while (true) {
            if (next == batches.size()) {
                // the input is exhausted: start over on fresh state (rare: once per ~200k events)
                close();
                open();
            }
            Object b = batches.get(next++);
            if (b == END_OF_INVOCATION) break;
            maxEventTime = Math.max(maxEventTime, BenchData.feed(harness, b));
            int events = BenchData.size(b);
            sinceAdvance += events;
            if (sinceAdvance >= ADVANCE_EVERY) {
                sinceAdvance = 0;
                harness.processBothWatermarks(new Watermark(maxEventTime - 2_000));
                harness.setProcessingTime(maxEventTime);
                harness.getOutput().clear();
                var decided = harness.getSideOutput(TraceCorrelator.DECIDED_LOGS);
                if (decided != null) decided.clear();
            }
        }
    }

    private static final Object END_OF_INVOCATION = new Object();
}
