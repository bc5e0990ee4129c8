package org.correlationstation.job.correlate;

import static org.correlationstation.job.types.CompactEncoding.readId;
import static org.correlationstation.job.types.CompactEncoding.readString;
import static org.correlationstation.job.types.CompactEncoding.writeId;
import static org.correlationstation.job.types.CompactEncoding.writeString;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.job.types.CompactSerializer;
import org.correlationstation.job.types.LogEventSerializer;

/** A decided log on its way to the Loki mapping (copied once per log when chained). */
public final class JoinedLogSerializer extends CompactSerializer<JoinedLog> {
    private static final long serialVersionUID = 1L;
    static final JoinedLogSerializer INSTANCE = new JoinedLogSerializer();

    @Override
    public JoinedLog createInstance() {
        return new JoinedLog();
    }

    @Override
    public JoinedLog copy(JoinedLog from) {
        return new JoinedLog(from.log == null ? null : LogEventSerializer.INSTANCE.copy(from.log), from.correlationId,
                from.spanId, from.spanName, from.inferred);
    }

    @Override
    public void serialize(JoinedLog j, DataOutputView out) throws IOException {
        LogEventSerializer.INSTANCE.serialize(j.log, out);
        writeString(out, j.correlationId);
        writeId(out, j.spanId);
        writeString(out, j.spanName);
        out.writeBoolean(j.inferred);
    }

    @Override
    public JoinedLog deserialize(DataInputView in) throws IOException {
        JoinedLog j = new JoinedLog();
        j.log = LogEventSerializer.INSTANCE.deserialize(in);
        j.correlationId = readString(in);
        j.spanId = readId(in);
        j.spanName = readString(in);
        j.inferred = in.readBoolean();
        return j;
    }

    @Override
    public TypeSerializerSnapshot<JoinedLog> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<JoinedLog> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
