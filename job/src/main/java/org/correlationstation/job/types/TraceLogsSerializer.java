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
import org.correlationstation.core.model.LogEvent;

/** A trace's logs of one message; the logs' own trace ids are the batch's (the router guarantees it). */
public final class TraceLogsSerializer extends CompactSerializer<TraceLogs> {
    private static final long serialVersionUID = 1L;
    public static final TraceLogsSerializer INSTANCE = new TraceLogsSerializer();

    @Override
    public TraceLogs createInstance() {
        return new TraceLogs(null);
    }

    @Override
    public TraceLogs copy(TraceLogs from) {
        LogEvent[] logs = new LogEvent[from.logs.length];
        for (int i = 0; i < logs.length; i++) logs[i] = LogEventSerializer.INSTANCE.copy(from.logs[i]);
        return new TraceLogs(from.traceId, logs);
    }

    @Override
    public void serialize(TraceLogs batch, DataOutputView out) throws IOException {
        writeId(out, batch.traceId);
        writeVarInt(out, batch.logs.length);
        for (LogEvent log : batch.logs) LogEventSerializer.INSTANCE.serializeInTrace(log, out);
    }

    @Override
    public TraceLogs deserialize(DataInputView in) throws IOException {
        String traceId = readId(in);
        LogEvent[] logs = new LogEvent[readVarInt(in)];
        for (int i = 0; i < logs.length; i++) logs[i] = LogEventSerializer.INSTANCE.deserializeInTrace(traceId, in);
        return new TraceLogs(traceId, logs);
    }

    @Override
    public TypeSerializerSnapshot<TraceLogs> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<TraceLogs> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
