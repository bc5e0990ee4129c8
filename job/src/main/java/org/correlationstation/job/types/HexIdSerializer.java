package org.correlationstation.job.types;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Span ids as map-state keys: 9 bytes for a 16-digit hex id instead of 17 as text. Deterministic, as
 * RocksDB compares serialised keys.
 */
public final class HexIdSerializer extends CompactSerializer<String> {
    private static final long serialVersionUID = 1L;
    public static final HexIdSerializer INSTANCE = new HexIdSerializer();

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public String createInstance() {
        return "";
    }

    @Override
    public String copy(String from) {
        return from;
    }

    @Override
    public void serialize(String record, DataOutputView target) throws IOException {
        CompactEncoding.writeId(target, record);
    }

    @Override
    public String deserialize(DataInputView source) throws IOException {
        return CompactEncoding.readId(source);
    }

    @Override
    public TypeSerializerSnapshot<String> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Layout 1 (release 0.1.0): a change of {@code serialize} is a new layout (docs/upgrades.md). */
    public static final class Snapshot extends LayoutSnapshot<String> {
        public Snapshot() {
            super(1, 1, layout -> layout == 1 ? INSTANCE : null);
        }
    }
}
