package org.correlationstation.job.rocksdb;

import java.util.Collection;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.Priority;

/**
 * The job's RocksDB options that Flink's configuration cannot say.
 *
 * <p><b>ZSTD for the bottommost level</b> (Flink's {@code compression.per.level} leaves RocksDB's
 * {@code bottommost_compression} unset). The bottom sorted run holds what has been there longest: mostly
 * closed traces kept for late events, 8-byte span ids, 8-byte fingerprints and nanosecond times that
 * Snappy barely shrinks. ZSTD's entropy coding takes 7% more off (bench/state.sh, bench/README.md
 * "Session 19"). The newer runs above it, where an open trace's state is read back, stay Snappy: a ZSTD
 * block costs more to decompress on every read that misses the block cache (the one 30-minute soak with
 * ZSTD on every level fell behind).
 *
 * <p><b>Compactions at the lowest CPU priority</b> (nice 19 for the threads of RocksDB's LOW pool, which
 * runs compactions; flushes run in the HIGH pool and keep theirs). A universal compaction takes up to
 * most of a core for seconds after a checkpoint's flush, exactly when the task threads catch up on the
 * records that queued during the checkpoint's pause; at nice 19 it takes what they leave. Nothing waits
 * for a compaction unless level-0 tables pile up to RocksDB's slow-down trigger, which the 30-minute
 * soak's RocksDB logs do not show (bench/README.md "Session 21"). The pool belongs to RocksDB's default
 * environment, so this holds for every RocksDB instance of the TaskManager's process.
 *
 * <p>A deployment that sets its own {@code state.backend.rocksdb.options-factory} replaces this one.
 */
public final class JobRocksDbOptions implements RocksDBOptionsFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public DBOptions createDBOptions(DBOptions currentOptions, Collection<AutoCloseable> handlesToClose) {
        currentOptions.getEnv().lowerThreadPoolCPUPriority(Priority.LOW);
        return currentOptions;
    }

    @Override
    public ColumnFamilyOptions createColumnOptions(ColumnFamilyOptions currentOptions, Collection<AutoCloseable> handlesToClose) {
        return currentOptions.setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION);
    }
}
