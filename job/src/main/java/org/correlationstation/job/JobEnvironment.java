package org.correlationstation.job;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.job.rocksdb.JobRocksDbOptions;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;

/**
 * The job-level Flink configuration: RocksDB with incremental checkpoints, exactly-once checkpoints
 * that are retained on cancel, unbounded tolerable checkpoint failures (a sink that holds the
 * checkpoint while its backend is down must not fail the job, SPEC §7), and no Kryo.
 */
public final class JobEnvironment {
    private JobEnvironment() {}

    public static Configuration configuration(Settings settings, boolean localMode) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        // Timers on the heap: each open trace has at most two, and RocksDB's timer queue profiled as a
        // per-event cost (every state change moves a trace's timers). They are checkpointed with the state.
        conf.set(RocksDBOptions.TIMER_SERVICE_FACTORY, EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP);
        // Bloom filters: many of the correlator's point reads are of keys that are not there yet (a new
        // trace's summary), which otherwise search every level, and a list's appends may lie in several.
        conf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        // Universal compaction: a trace's state is written within seconds, read back while the trace is
        // open and then left until its clean-up, so level compaction's rewrites into each level bought
        // nothing; in the 10-minute soak they took 0.2-0.45 cores and checkpoints 1-3 s. Measured at
        // one rate (bench/README.md "Fourth round"): freshness p99 3.0 s -> 2.5 s, checkpoints ~1 s.
        conf.set(RocksDBConfigurableOptions.COMPACTION_STYLE, CompactionStyle.UNIVERSAL);
        // Memtable flushes uncompressed, compactions' output Snappy-compressed (Flink's default), and the
        // bottommost level ZSTD (JobRocksDbOptions). Every checkpoint flushes the memtables on the task thread
        // (its synchronous part: no record or timer is processed meanwhile), and Snappy was 85% of that
        // flush: the correlator's synchronous part went from 650-800 ms to ~390 ms (bench/README.md
        // "Fifth round").
        conf.set(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL,
                List.of(CompressionType.NO_COMPRESSION, CompressionType.SNAPPY_COMPRESSION));
        conf.set(RocksDBOptions.OPTIONS_FACTORY, JobRocksDbOptions.class.getName());
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL,
                Duration.ofMillis(settings.get(Options.CHECKPOINT_INTERVAL_MS)));
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, Integer.MAX_VALUE);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // Chained operators hand records on without a serializer copy (copying every record and decided
        // log profiled as a fifth of the correlator's time). Safe here: no function of the job keeps or
        // changes a record after emitting it or changes a record it received (docs/semantics.md).
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        if (localMode || settings.isSet(Options.CHECKPOINT_DIR)) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, settings.checkpointDir(localMode));
        }
        return conf;
    }

    /** The execution environment with the job's configuration on top of the cluster's. */
    public static StreamExecutionEnvironment create(Settings settings, boolean localMode) {
        return create(configuration(settings, localMode), settings);
    }

    public static StreamExecutionEnvironment create(Configuration conf, Settings settings) {
        return apply(StreamExecutionEnvironment.getExecutionEnvironment(conf), settings);
    }

    /** The settings that live on the environment rather than in its configuration; local mode builds its own. */
    public static StreamExecutionEnvironment apply(StreamExecutionEnvironment env, Settings settings) {
        if (env.getConfiguration().getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).isEmpty()) {
            throw new IllegalArgumentException("No checkpoint directory: set CHECKPOINT_DIR (--checkpoint-dir) "
                    + "or execution.checkpointing.dir in the Flink configuration");
        }
        env.setMaxParallelism(settings.get(Options.MAX_PARALLELISM));
        settings.find(Options.PARALLELISM).ifPresent(env::setParallelism);
        return env;
    }
}
