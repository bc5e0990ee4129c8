package org.correlationstation.job.types;

import static org.correlationstation.job.types.CompactEncoding.readId;
import static org.correlationstation.job.types.CompactEncoding.readString;
import static org.correlationstation.job.types.CompactEncoding.readVarInt;
import static org.correlationstation.job.types.CompactEncoding.writeId;
import static org.correlationstation.job.types.CompactEncoding.writeString;
import static org.correlationstation.job.types.CompactEncoding.writeVarInt;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.core.model.LogEvent;

/**
 * {@link LogEvent} between the log router and the correlator, and in the correlator's pending logs.
 * Layout 2 (issue 24) appends {@link LogEvent#traceIdSource} to layout 1 (release 0.1.0), which
 * {@link Layout1} still reads: a savepoint's pending logs are migrated on restore, with no source (their
 * trace ids were all the records' own).
 */
public final class LogEventSerializer extends CompactSerializer<LogEvent> {
    private static final long serialVersionUID = 1L;
    public static final LogEventSerializer INSTANCE = new LogEventSerializer();

    @Override
    public LogEvent createInstance() {
        return new LogEvent();
    }

    @Override
    public LogEvent copy(LogEvent from) {
        LogEvent l = new LogEvent();
        l.traceId = from.traceId;
        l.spanId = from.spanId;
        l.service = from.service;
        l.env = from.env;
        l.host = from.host;
        l.timeNanos = from.timeNanos;
        l.severityNumber = from.severityNumber;
        l.severityText = from.severityText;
        l.body = from.body;
        l.legacyTraceId = from.legacyTraceId;
        l.attributes = from.attributes == null ? null : new HashMap<>(from.attributes);
        l.traceIdSource = from.traceIdSource;
        return l;
    }

    @Override
    public void serialize(LogEvent l, DataOutputView out) throws IOException {
        writeId(out, l.traceId);
        serializeInTrace(l, out);
    }

    /** All but the trace id, which a batch of one trace's events writes once. */
    void serializeInTrace(LogEvent l, DataOutputView out) throws IOException {
        writeLayout1(l, out);
        writeString(out, l.traceIdSource);
    }

    private static void writeLayout1(LogEvent l, DataOutputView out) throws IOException {
        writeId(out, l.spanId);
        writeString(out, l.service);
        writeString(out, l.env);
        writeString(out, l.host);
        out.writeLong(l.timeNanos);
        writeVarInt(out, l.severityNumber);
        writeString(out, l.severityText);
        writeString(out, l.body);
        writeString(out, l.legacyTraceId);
        if (l.attributes == null) {
            writeVarInt(out, 0);
            return;
        }
        writeVarInt(out, l.attributes.size() + 1);
        for (Map.Entry<String, String> a : l.attributes.entrySet()) {
            writeString(out, a.getKey());
            writeString(out, a.getValue());
        }
    }

    @Override
    public LogEvent deserialize(DataInputView in) throws IOException {
        return deserializeInTrace(readId(in), in);
    }

    LogEvent deserializeInTrace(String traceId, DataInputView in) throws IOException {
        LogEvent l = readLayout1(traceId, in);
        l.traceIdSource = readString(in);
        return l;
    }

    private static LogEvent readLayout1(String traceId, DataInputView in) throws IOException {
        LogEvent l = new LogEvent();
        l.traceId = traceId;
        l.spanId = readId(in);
        l.service = readString(in);
        l.env = readString(in);
        l.host = readString(in);
        l.timeNanos = in.readLong();
        l.severityNumber = readVarInt(in);
        l.severityText = readString(in);
        l.body = readString(in);
        l.legacyTraceId = readString(in);
        int n = readVarInt(in);
        if (n == 0) {
            l.attributes = null;
        } else {
            Map<String, String> attributes = new HashMap<>(Math.max(4, (n - 1) * 2));
            for (int i = 0; i < n - 1; i++) attributes.put(readString(in), readString(in));
            l.attributes = attributes;
        }
        return l;
    }

    @Override
    public TypeSerializerSnapshot<LogEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * Layout 2 (layout 1 of release 0.1.0 read by {@link Layout1}): a change of {@code serialize} is a new
     * layout (docs/upgrades.md).
     */
    public static final class Snapshot extends LayoutSnapshot<LogEvent> {
        public Snapshot() {
            super(2, 1, layout -> layout == 2 ? INSTANCE : layout == 1 ? Layout1.INSTANCE : null);
        }
    }

    /**
     * Layout 1 (release 0.1.0: no trace id source): the reader Flink restores a savepoint's pending logs
     * with before it writes them again in the current layout. It writes layout 1 too, dropping the source,
     * so that it stays a faithful serializer of the state it describes.
     */
    public static final class Layout1 extends CompactSerializer<LogEvent> {
        private static final long serialVersionUID = 1L;
        public static final Layout1 INSTANCE = new Layout1();

        @Override
        public LogEvent createInstance() {
            return new LogEvent();
        }

        @Override
        public LogEvent copy(LogEvent from) {
            return LogEventSerializer.INSTANCE.copy(from);
        }

        @Override
        public void serialize(LogEvent l, DataOutputView out) throws IOException {
            writeId(out, l.traceId);
            writeLayout1(l, out);
        }

        @Override
        public LogEvent deserialize(DataInputView in) throws IOException {
            return readLayout1(readId(in), in);
        }

        @Override
        public TypeSerializerSnapshot<LogEvent> snapshotConfiguration() {
            return new Snapshot().at(1);
        }
    }
}
