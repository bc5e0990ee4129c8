package org.correlationstation.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.PredefinedOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.state.rocksdb.RocksDBResourceContainer;
import org.correlationstation.core.config.Settings;
import org.correlationstation.job.rocksdb.JobRocksDbOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.CompactionStyle;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.TableProperties;

/** The RocksDB and pipeline settings the correlator's state layout and the benchmarks rely on. */
class JobEnvironmentTest {
    @Test
    void rocksDbIsTunedForTheCorrelatorsState() {
        Configuration conf = JobEnvironment.configuration(Settings.from(Map.of(), new String[0]), true);
        assertThat(conf.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
        assertThat(conf.get(RocksDBConfigurableOptions.COMPACTION_STYLE)).isEqualTo(CompactionStyle.UNIVERSAL);
        assertThat(conf.get(RocksDBOptions.TIMER_SERVICE_FACTORY))
                .isEqualTo(EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP);
        assertThat(conf.get(PipelineOptions.OBJECT_REUSE)).isTrue();
        assertThat(conf.get(PipelineOptions.GENERIC_TYPES)).isFalse();
    }

    /**
     * The options as Flink hands them to RocksDB: a flush (what a checkpoint waits for on the task thread)
     * writes an uncompressed table, and compaction compresses the state it keeps (the bottommost level
     * with ZSTD, {@link JobRocksDbOptions}) at the lowest CPU priority.
     */
    @Test
    void flushesAreUncompressedAndCompactionsCompressedAtLowPriority(@TempDir Path dir) throws Exception {
        Configuration conf = JobEnvironment.configuration(Settings.from(Map.of(), new String[0]), true);
        RocksDB.loadLibrary();
        EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend().configure(conf, getClass().getClassLoader());
        assertThat(backend.getRocksDBOptions()).as("the options factory Flink loads").isInstanceOf(JobRocksDbOptions.class);
        try (RocksDBResourceContainer options = new RocksDBResourceContainer(conf, PredefinedOptions.DEFAULT,
                        backend.getRocksDBOptions(), null, null, false);
                Options dbOptions = new Options(options.getDbOptions().setCreateIfMissing(true), options.getColumnOptions());
                RocksDB db = RocksDB.open(dbOptions, dir.toString());
                FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            byte[] value = "a trace summary, repeated; ".repeat(20).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 2_000; i++) db.put(("trace-" + i).getBytes(StandardCharsets.UTF_8), value);
            db.flush(flush);
            assertThat(compressionOfTables(db)).containsExactly("NoCompression");

            for (int i = 2_000; i < 4_000; i++) db.put(("trace-" + i).getBytes(StandardCharsets.UTF_8), value);
            db.flush(flush);
            db.compactRange(); // a full compaction: its output is the bottommost level
            assertThat(compressionOfTables(db)).containsExactly("ZSTD");
            // The full compaction ran on a thread of RocksDB's LOW pool, which picked up the lowered priority.
            assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "thread priorities are read from Linux's /proc");
            assertThat(niceOfThreadsNamed("rocksdb:low")).as("nice of the compaction threads").contains(19);
        }
    }

    /** The nice value of each of this process's threads with that name (/proc/self/task/TID/stat, field 19). */
    private static List<Integer> niceOfThreadsNamed(String name) throws IOException {
        List<Integer> nice = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (NoSuchFileException ended) {
                    continue;
                }
                int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                if (!stat.substring(open + 1, close).equals(name)) continue;
                String[] fields = stat.substring(close + 2).trim().split(" "); // from field 3, the state
                nice.add(Integer.parseInt(fields[19 - 3]));
            }
        }
        return nice;
    }

    private static List<String> compressionOfTables(RocksDB db) throws Exception {
        return db.getPropertiesOfAllTables().values().stream().map(TableProperties::getCompressionName).distinct().toList();
    }
}
