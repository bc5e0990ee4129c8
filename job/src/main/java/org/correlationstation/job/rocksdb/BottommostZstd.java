package org.correlationstation.job.rocksdb;

import java.util.Collection;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;

/**
 * ZSTD for the bottommost level, which Flink's configuration cannot say (its
 * {@code compression.per.level} leaves RocksDB's {@code bottommost_compression} unset). The bottom
 * sorted run holds what has been there longest: mostly closed traces kept for late events, 8-byte span
 * ids, 8-byte fingerprints and nanosecond times that Snappy barely shrinks. ZSTD's entropy coding takes
 * 7% more off (bench/state.sh, bench/README.md "Session 19"). The newer runs above it, where an open
 * trace's state is read back, stay Snappy: a ZSTD block costs more to decompress on every read that misses
 * the block cache (the one 30-minute soak with ZSTD on every level fell behind).
 *
 * <p>A deployment that sets its own {@code state.backend.rocksdb.options-factory} replaces this one.
 */
public final class BottommostZstd implements RocksDBOptionsFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public DBOptions createDBOptions(DBOptions currentOptions, Collection<AutoCloseable> handlesToClose) {
        return currentOptions;
    }

    @Override
    public ColumnFamilyOptions createColumnOptions(ColumnFamilyOptions currentOptions, Collection<AutoCloseable> handlesToClose) {
        return currentOptions.setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION);
    }
}
