package org.correlationstation.job.correlate;

import static org.correlationstation.job.types.CompactEncoding.readId;
import static org.correlationstation.job.types.CompactEncoding.readString;
import static org.correlationstation.job.types.CompactEncoding.readVarInt;
import static org.correlationstation.job.types.CompactEncoding.readVarLong;
import static org.correlationstation.job.types.CompactEncoding.writeId;
import static org.correlationstation.job.types.CompactEncoding.writeString;
import static org.correlationstation.job.types.CompactEncoding.writeVarInt;
import static org.correlationstation.job.types.CompactEncoding.writeVarLong;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.job.types.CompactSerializer;

/**
 * The summary's layout 4, release 0.1.0's: kept to read its savepoints, which Flink migrates to the
 * current layout on restore ({@link TraceSummarySerializer.StateLayout4Snapshot}). Not changed again.
 */
final class TraceSummaryLayout4Serializer extends CompactSerializer<TraceSummary> {
    private static final long serialVersionUID = 1L;
    static final TraceSummaryLayout4Serializer INSTANCE = new TraceSummaryLayout4Serializer();

    private static final int HAS_ROOT = 1;
    private static final int TRUNCATED = 1 << 1;
    private static final int CLOSED = 1 << 2;
    private static final int DIRTY = 1 << 3;
    private static final int EMITTED = 1 << 4;

    @Override
    public TraceSummary createInstance() {
        return new TraceSummary();
    }

    @Override
    public TraceSummary copy(TraceSummary from) {
        return TraceSummarySerializer.INSTANCE.copy(from);
    }

    @Override
    public void serialize(TraceSummary s, DataOutputView out) throws IOException {
        writeId(out, s.traceId);
        writeString(out, s.correlationId);
        writeString(out, s.legacyTraceId);
        writeVarLong(out, s.spanCount);
        writeVarLong(out, s.logCount);
        writeVarLong(out, s.errorSpanCount);
        writeVarLong(out, s.errorLogCount);
        writeVarInt(out, s.maxSeverity);
        out.writeLong(s.firstSeen);
        out.writeLong(s.lastSeen);
        out.writeLong(s.minSpanStart);
        out.writeLong(s.maxSpanEnd);
        writeId(out, s.rootSpanId);
        writeString(out, s.rootService);
        writeString(out, s.rootOperation);
        writeString(out, s.rootEnv);
        out.writeLong(s.rootStartNanos);
        writeString(out, s.minEnv);
        writeVarInt(out, s.services.length);
        for (String service : s.services) writeString(out, service);
        writeVarInt(out, s.trackedSpans);
        writeVarInt(out, s.trackedLogs);
        writeVarInt(out, s.linkEntries);
        writeVarLong(out, s.lateEvents);
        out.writeByte((s.hasRoot ? HAS_ROOT : 0) | (s.truncated ? TRUNCATED : 0) | (s.closed ? CLOSED : 0)
                | (s.dirty ? DIRTY : 0) | (s.emitted ? EMITTED : 0));
        out.writeLong(s.firstArrival);
        out.writeLong(s.lastArrival);
        out.writeLong(s.closedAt);
        out.writeLong(s.lastEmitAt);
        writeVarLong(out, s.version);
        out.writeLong(s.lastContentHash);
        writeVarInt(out, s.pendingLogs);
        writeVarInt(out, s.pendingWithSpanId);
        out.writeLong(s.pendingDueEventTime);
        out.writeLong(s.pendingDueProcessingTime);
        out.writeLong(s.eventTimer);
        out.writeLong(s.processingTimer);
    }

    @Override
    public TraceSummary deserialize(DataInputView in) throws IOException {
        TraceSummary s = new TraceSummary();
        s.traceId = readId(in);
        s.correlationId = readString(in);
        s.legacyTraceId = readString(in);
        s.spanCount = readVarLong(in);
        s.logCount = readVarLong(in);
        s.errorSpanCount = readVarLong(in);
        s.errorLogCount = readVarLong(in);
        s.maxSeverity = readVarInt(in);
        s.firstSeen = in.readLong();
        s.lastSeen = in.readLong();
        s.minSpanStart = in.readLong();
        s.maxSpanEnd = in.readLong();
        s.rootSpanId = readId(in);
        s.rootService = readString(in);
        s.rootOperation = readString(in);
        s.rootEnv = readString(in);
        s.rootStartNanos = in.readLong();
        s.minEnv = readString(in);
        String[] services = new String[readVarInt(in)];
        for (int i = 0; i < services.length; i++) services[i] = readString(in);
        s.services = services;
        s.trackedSpans = readVarInt(in);
        s.trackedLogs = readVarInt(in);
        s.linkEntries = readVarInt(in);
        s.lateEvents = readVarLong(in);
        int flags = in.readUnsignedByte();
        s.hasRoot = (flags & HAS_ROOT) != 0;
        s.truncated = (flags & TRUNCATED) != 0;
        s.closed = (flags & CLOSED) != 0;
        s.dirty = (flags & DIRTY) != 0;
        s.emitted = (flags & EMITTED) != 0;
        s.firstArrival = in.readLong();
        s.lastArrival = in.readLong();
        s.closedAt = in.readLong();
        s.lastEmitAt = in.readLong();
        s.version = readVarLong(in);
        s.lastContentHash = in.readLong();
        s.pendingLogs = readVarInt(in);
        s.pendingWithSpanId = readVarInt(in);
        s.pendingDueEventTime = in.readLong();
        s.pendingDueProcessingTime = in.readLong();
        s.eventTimer = in.readLong();
        s.processingTimer = in.readLong();
        return s;
    }

    @Override
    public TypeSerializerSnapshot<TraceSummary> snapshotConfiguration() {
        return new TraceSummarySerializer.StateLayout4Snapshot().at(4);
    }
}
