package org.correlationstation.job.types;

import static org.correlationstation.job.types.CompactEncoding.readId;
import static org.correlationstation.job.types.CompactEncoding.readString;
import static org.correlationstation.job.types.CompactEncoding.writeId;
import static org.correlationstation.job.types.CompactEncoding.writeString;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.core.model.SpanEvent;

/** {@link SpanEvent} between the span router and the correlator. */
public final class SpanEventSerializer extends CompactSerializer<SpanEvent> {
    private static final long serialVersionUID = 1L;
    public static final SpanEventSerializer INSTANCE = new SpanEventSerializer();

    @Override
    public SpanEvent createInstance() {
        return new SpanEvent();
    }

    @Override
    public SpanEvent copy(SpanEvent from) {
        SpanEvent s = new SpanEvent();
        s.traceId = from.traceId;
        s.spanId = from.spanId;
        s.parentSpanId = from.parentSpanId;
        s.name = from.name;
        s.service = from.service;
        s.env = from.env;
        s.startTimeNanos = from.startTimeNanos;
        s.endTimeNanos = from.endTimeNanos;
        s.error = from.error;
        s.legacyTraceId = from.legacyTraceId;
        return s;
    }

    @Override
    public void serialize(SpanEvent s, DataOutputView out) throws IOException {
        writeId(out, s.traceId);
        serializeInTrace(s, out);
    }

    /** All but the trace id, which a batch of one trace's events writes once. */
    void serializeInTrace(SpanEvent s, DataOutputView out) throws IOException {
        writeId(out, s.spanId);
        writeId(out, s.parentSpanId);
        writeString(out, s.name);
        writeString(out, s.service);
        writeString(out, s.env);
        out.writeLong(s.startTimeNanos);
        out.writeLong(s.endTimeNanos);
        out.writeBoolean(s.error);
        writeString(out, s.legacyTraceId);
    }

    @Override
    public SpanEvent deserialize(DataInputView in) throws IOException {
        return deserializeInTrace(readId(in), in);
    }

    SpanEvent deserializeInTrace(String traceId, DataInputView in) throws IOException {
        SpanEvent s = new SpanEvent();
        s.traceId = traceId;
        s.spanId = readId(in);
        s.parentSpanId = readId(in);
        s.name = readString(in);
        s.service = readString(in);
        s.env = readString(in);
        s.startTimeNanos = in.readLong();
        s.endTimeNanos = in.readLong();
        s.error = in.readBoolean();
        s.legacyTraceId = readString(in);
        return s;
    }

    @Override
    public TypeSerializerSnapshot<SpanEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SpanEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
