package org.correlationstation.bench.state;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.correlationstation.bench.jmh.BenchData;
import org.correlationstation.bench.load.TrafficProfile;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.job.JobEnvironment;
import org.correlationstation.job.correlate.CorrelationSettings;
import org.correlationstation.job.correlate.TraceCorrelator;
import org.correlationstation.job.correlate.TraceCorrelatorOperator;
import org.correlationstation.job.correlate.TraceIdOfLog;
import org.correlationstation.job.correlate.TraceIdOfSpan;
import org.correlationstation.job.types.CompactTypes;
import org.correlationstation.job.types.TraceLogs;
import org.correlationstation.job.types.TraceSpans;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.TableProperties;

/**
 * Where a trace's state goes, byte by byte: the correlator's keyed state per state name in RocksDB, with
 * the job's RocksDB options, after generated traces (the e2e benchmark's traffic) went through it and
 * closed, within the TTL (what the e2e benchmark calls a trace held). Takes a snapshot (which writes the
 * held summaries back and flushes the memtables, as a checkpoint does), compacts every column family as
 * the job's background compactions would eventually, and prints per state: keys, the uncompressed key
 * and value bytes, and the bytes of its SST files, each also per trace.
 *
 * <p>{@code bench/state.sh [--traces N] [--spans-per-trace N] [--long-tail SHARE] [--phase open|closed] [--flink KEY=VALUE]}:
 * {@code --phase open} measures the traces before they close (within their window) instead.
 */
public final class StateFootprint {
    private StateFootprint() {}

    public static void main(String[] args) throws Exception {
        int traces = 20_000;
        TrafficProfile profile = TrafficProfile.defaults().withLate(0, 0);
        boolean open = false;
        org.apache.flink.configuration.Configuration conf = JobEnvironment.configuration(Settings.defaults(), true);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--traces" -> traces = Integer.parseInt(args[++i]);
                case "--spans-per-trace" -> {
                    int n = Integer.parseInt(args[++i]);
                    profile = profile.withSpansPerTrace(n, Math.max(n, profile.maxSpansPerTrace()));
                }
                case "--long-tail" -> profile = profile.withLongTail(Double.parseDouble(args[++i]));
                case "--flink" -> { // a Flink option on top of the job's, e.g. state.backend.rocksdb.block.blocksize=16kb
                    String[] kv = args[++i].split("=", 2);
                    conf.setString(kv[0], kv[1]);
                }
                case "--phase" -> open = switch (args[++i]) {
                    case "open" -> true;
                    case "closed" -> false;
                    default -> throw new IllegalArgumentException("--phase is open or closed");
                };
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (options: --traces N, --spans-per-trace N, --long-tail SHARE, --phase open|closed, --flink KEY=VALUE)");
            }
        }
        List<Object> events = BenchData.events(traces, profile).stream()
                .filter(e -> !(e instanceof LogEvent l) || l.traceId != null).toList();
        long spans = events.stream().filter(e -> e instanceof SpanEvent).count();
        CorrelationSettings cfg = CorrelationSettings.defaults();
        var harness = new KeyedTwoInputStreamOperatorTestHarness<String, TraceSpans, TraceLogs, CorrelationRecord>(
                new TraceCorrelatorOperator(cfg), new TraceIdOfSpan(), new TraceIdOfLog(), CompactTypes.TRACE_ID_KEY);
        EmbeddedRocksDBStateBackend rocksDb = new EmbeddedRocksDBStateBackend().configure(conf, StateFootprint.class.getClassLoader());
        // the harness's mock task has almost no managed memory: RocksDB would flush its memtable constantly
        rocksDb.getMemoryConfiguration().setUseManagedMemory(false);
        harness.setStateBackend(rocksDb);
        Path checkpoints = Files.createTempDirectory("state-footprint");
        harness.setCheckpointStorage(new FileSystemCheckpointStorage(checkpoints.toUri()));
        harness.setup();
        harness.open();
        long time = BenchData.BASE_MILLIS;
        harness.setProcessingTime(time);
        int fed = 0;
        for (Object b : BenchData.batches(events)) {
            long t = BenchData.feed(harness, b);
            time = Math.max(time, t);
            if (++fed % 256 == 0) {
                harness.setProcessingTime(time);
                harness.processBothWatermarks(new Watermark(time - 2_000));
                clearOutputs(harness);
            }
        }
        // every trace decided and emitted; closed unless --phase open (its window passes, its TTL does not)
        long settle = open ? cfg.emitIntervalMs + 1 : cfg.windowMs + cfg.emitIntervalMs + 1;
        harness.setProcessingTime(time + settle);
        harness.processBothWatermarks(new Watermark(open ? time : time + settle));
        clearOutputs(harness);
        harness.snapshot(1, time + settle);
        report(harness.getOperator().getKeyedStateBackend(), traces, spans, events.size() - spans, open);
        harness.close();
        try (var files = Files.walk(checkpoints)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static void clearOutputs(KeyedTwoInputStreamOperatorTestHarness<?, ?, ?, ?> harness) {
        harness.getOutput().clear();
        var decided = harness.getSideOutput(TraceCorrelator.DECIDED_LOGS);
        if (decided != null) decided.clear();
        var graph = harness.getSideOutput(TraceCorrelator.GRAPH_INCREMENTS);
        if (graph != null) graph.clear();
    }

    private static void report(KeyedStateBackend<?> backend, int traces, long spans, long logs, boolean open) throws Exception {
        // The backend keeps its RocksDB instance and column families to itself: a measuring tool may look.
        Field dbField = backend.getClass().getDeclaredField("db");
        dbField.setAccessible(true);
        RocksDB db = (RocksDB) dbField.get(backend);
        Method info = backend.getClass().getDeclaredMethod("getKvStateInformation");
        info.setAccessible(true);
        Map<String, ColumnFamilyHandle> families = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : ((Map<String, ?>) info.invoke(backend)).entrySet()) {
            Field handle = e.getValue().getClass().getDeclaredField("columnFamilyHandle");
            handle.setAccessible(true);
            families.put(e.getKey(), (ColumnFamilyHandle) handle.get(e.getValue()));
        }
        System.out.printf(Locale.ROOT, "%d traces %s (%,d spans, %.1f per trace; %,d traced logs), RocksDB with the job's options,"
                + " flushed and fully compacted%n%n", traces, open ? "open" : "closed, within the TTL", spans,
                (double) spans / traces, logs);
        System.out.println("| state | keys | raw key B | raw value B | SST B | raw B per trace | SST B per trace |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        long[] total = new long[4];
        List<String> rows = new ArrayList<>();
        for (Map.Entry<String, ColumnFamilyHandle> f : families.entrySet()) {
            db.compactRange(f.getValue());
            long keys = 0, rawKey = 0, rawValue = 0;
            for (TableProperties t : db.getPropertiesOfAllTables(f.getValue()).values()) {
                keys += t.getNumEntries();
                rawKey += t.getRawKeySize();
                rawValue += t.getRawValueSize();
            }
            long sst = Long.parseLong(db.getProperty(f.getValue(), "rocksdb.total-sst-files-size"));
            if (keys == 0 && sst == 0) continue;
            total[0] += keys;
            total[1] += rawKey;
            total[2] += rawValue;
            total[3] += sst;
            rows.add(row(f.getKey(), keys, rawKey, rawValue, sst, traces));
        }
        rows.forEach(System.out::println);
        System.out.println(row("**all**", total[0], total[1], total[2], total[3], traces));
    }

    private static String row(String name, long keys, long rawKey, long rawValue, long sst, int traces) {
        return String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %,.0f | %,.0f |", name, keys, rawKey, rawValue, sst,
                (double) (rawKey + rawValue) / traces, (double) sst / traces);
    }
}
