package org.correlationstation.job.correlate;

import static org.correlationstation.job.types.CompactEncoding.readId;
import static org.correlationstation.job.types.CompactEncoding.readString;
import static org.correlationstation.job.types.CompactEncoding.writeId;
import static org.correlationstation.job.types.CompactEncoding.writeString;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.job.types.CompactSerializer;
import org.correlationstation.job.types.LayoutSnapshot;

/** A tracked span in state: one per span, so every byte counts towards the state per trace. */
public final class SpanInfoSerializer extends CompactSerializer<SpanInfo> {
    private static final long serialVersionUID = 1L;
    static final SpanInfoSerializer INSTANCE = new SpanInfoSerializer();

    @Override
    public SpanInfo createInstance() {
        return new SpanInfo();
    }

    @Override
    public SpanInfo copy(SpanInfo from) {
        SpanInfo s = new SpanInfo();
        s.spanId = from.spanId;
        s.name = from.name;
        s.service = from.service;
        s.parentSpanId = from.parentSpanId;
        s.startNanos = from.startNanos;
        s.endNanos = from.endNanos;
        s.error = from.error;
        return s;
    }

    @Override
    public void serialize(SpanInfo s, DataOutputView out) throws IOException {
        writeId(out, s.spanId);
        writeString(out, s.name);
        writeString(out, s.service);
        writeId(out, s.parentSpanId);
        out.writeLong(s.startNanos);
        out.writeLong(s.endNanos);
        out.writeBoolean(s.error);
    }

    @Override
    public SpanInfo deserialize(DataInputView in) throws IOException {
        SpanInfo s = new SpanInfo();
        s.spanId = readId(in);
        s.name = readString(in);
        s.service = readString(in);
        s.parentSpanId = readId(in);
        s.startNanos = in.readLong();
        s.endNanos = in.readLong();
        s.error = in.readBoolean();
        return s;
    }

    @Override
    public TypeSerializerSnapshot<SpanInfo> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Layout 1 (release 0.1.0): a change of {@code serialize} is a new layout (docs/upgrades.md). */
    public static final class Snapshot extends LayoutSnapshot<SpanInfo> {
        public Snapshot() {
            super(1, 1, layout -> layout == 1 ? INSTANCE : null);
        }
    }
}
