package org.correlationstation.job.types;

import static org.correlationstation.job.types.CompactEncoding.readId;
import static org.correlationstation.job.types.CompactEncoding.readVarInt;
import static org.correlationstation.job.types.CompactEncoding.writeId;
import static org.correlationstation.job.types.CompactEncoding.writeVarInt;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.core.model.SpanEvent;

/** A trace's spans of one message; the spans' own trace ids are the batch's (the router guarantees it). */
public final class TraceSpansSerializer extends CompactSerializer<TraceSpans> {
    private static final long serialVersionUID = 1L;
    public static final TraceSpansSerializer INSTANCE = new TraceSpansSerializer();

    @Override
    public TraceSpans createInstance() {
        return new TraceSpans(null);
    }

    @Override
    public TraceSpans copy(TraceSpans from) {
        SpanEvent[] spans = new SpanEvent[from.spans.length];
        for (int i = 0; i < spans.length; i++) spans[i] = SpanEventSerializer.INSTANCE.copy(from.spans[i]);
        return new TraceSpans(from.traceId, spans);
    }

    @Override
    public void serialize(TraceSpans batch, DataOutputView out) throws IOException {
        writeId(out, batch.traceId);
        writeVarInt(out, batch.spans.length);
        for (SpanEvent span : batch.spans) SpanEventSerializer.INSTANCE.serializeInTrace(span, out);
    }

    @Override
    public TraceSpans deserialize(DataInputView in) throws IOException {
        String traceId = readId(in);
        SpanEvent[] spans = new SpanEvent[readVarInt(in)];
        for (int i = 0; i < spans.length; i++) spans[i] = SpanEventSerializer.INSTANCE.deserializeInTrace(traceId, in);
        return new TraceSpans(traceId, spans);
    }

    @Override
    public TypeSerializerSnapshot<TraceSpans> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<TraceSpans> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
