package org.correlationstation.job.types;

import java.io.IOException;
import java.util.LinkedHashMap;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.connectors.loki.LokiEntry;
import org.correlationstation.connectors.loki.LokiEntrySerializer;

/**
 * A log on its way from the correlator (and the log router) to the Loki sink, one per log across the
 * network, in the sink's own checkpoint format ({@link LokiEntrySerializer}): no POJO reflection, and
 * the structured metadata keeps its order (ids first), which the sink's truncation relies on.
 */
public final class LokiEntryTypeSerializer extends CompactSerializer<LokiEntry> {
    private static final long serialVersionUID = 1L;
    public static final LokiEntryTypeSerializer INSTANCE = new LokiEntryTypeSerializer();

    @Override
    public LokiEntry createInstance() {
        return new LokiEntry();
    }

    @Override
    public LokiEntry copy(LokiEntry from) {
        return new LokiEntry(from.serviceName, from.deploymentEnvironment, from.level, from.timestampNanos, from.line,
                from.structuredMetadata == null ? null : new LinkedHashMap<>(from.structuredMetadata));
    }

    @Override
    public void serialize(LokiEntry e, DataOutputView out) throws IOException {
        LokiEntrySerializer.write(e, out);
    }

    @Override
    public LokiEntry deserialize(DataInputView in) throws IOException {
        return LokiEntrySerializer.read(in);
    }

    @Override
    public TypeSerializerSnapshot<LokiEntry> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<LokiEntry> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
