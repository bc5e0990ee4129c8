package org.correlationstation.job.types;

import static org.correlationstation.job.types.CompactEncoding.readString;
import static org.correlationstation.job.types.CompactEncoding.readVarInt;
import static org.correlationstation.job.types.CompactEncoding.writeString;
import static org.correlationstation.job.types.CompactEncoding.writeVarInt;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.connectors.loki.LokiEntry;

/**
 * A log on its way from the correlator (and the log router) to the Loki sink, one per log across the
 * network. Keeps the structured metadata's order (ids first), which the sink's truncation relies on.
 */
public final class LokiEntrySerializer extends CompactSerializer<LokiEntry> {
    private static final long serialVersionUID = 1L;
    public static final LokiEntrySerializer INSTANCE = new LokiEntrySerializer();

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
        writeString(out, e.serviceName);
        writeString(out, e.deploymentEnvironment);
        writeString(out, e.level);
        out.writeLong(e.timestampNanos);
        writeString(out, e.line);
        Map<String, String> metadata = e.structuredMetadata;
        writeVarInt(out, metadata == null ? 0 : metadata.size());
        if (metadata == null) return;
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            writeString(out, m.getKey());
            writeString(out, m.getValue());
        }
    }

    @Override
    public LokiEntry deserialize(DataInputView in) throws IOException {
        LokiEntry e = new LokiEntry();
        e.serviceName = readString(in);
        e.deploymentEnvironment = readString(in);
        e.level = readString(in);
        e.timestampNanos = in.readLong();
        e.line = readString(in);
        int n = readVarInt(in);
        Map<String, String> metadata = new LinkedHashMap<>(Math.max(4, n * 2));
        for (int i = 0; i < n; i++) metadata.put(readString(in), readString(in));
        e.structuredMetadata = metadata;
        return e;
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
