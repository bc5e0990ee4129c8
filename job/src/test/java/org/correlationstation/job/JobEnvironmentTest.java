package org.correlationstation.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.correlationstation.core.config.Settings;
import org.junit.jupiter.api.Test;
import org.rocksdb.CompactionStyle;

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
}
