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
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.job.types.CompactSerializer;
import org.correlationstation.job.types.LayoutSnapshot;

/**
 * The trace summary, read and written once per event batch and timer: every field in a fixed order,
 * flags in one byte. {@code TraceSummarySerializerTest} fails when a field of {@link TraceSummary} is
 * not written here.
 */
public final class TraceSummarySerializer extends CompactSerializer<TraceSummary> {
    private static final long serialVersionUID = 1L;
    static final TraceSummarySerializer INSTANCE = new TraceSummarySerializer();

    private static final int HAS_ROOT = 1;
    private static final int TRUNCATED = 1 << 1;
    private static final int CLOSED = 1 << 2;
    private static final int DIRTY = 1 << 3;
    private static final int EMITTED = 1 << 4;
    /** Layout 5: the trace's values are in its closed-trace value; never set in layout 4. */
    private static final int CLOSED_FORM = 1 << 5;

    @Override
    public TraceSummary createInstance() {
        return new TraceSummary();
    }

    @Override
    public TraceSummary copy(TraceSummary from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException("copying a trace summary in memory", e);
        }
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
                | (s.dirty ? DIRTY : 0) | (s.emitted ? EMITTED : 0) | (s.closedForm ? CLOSED_FORM : 0));
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
        s.closedForm = (flags & CLOSED_FORM) != 0;
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
        return new StateLayout4Snapshot();
    }

    /**
     * The summary's snapshot also stands for the layout of the correlator's other states, which it
     * describes (counts of tracked spans, logs and links, pending logs). Layout 4 (one list of tracked
     * spans) is the layout of release 0.1.0. Layout 5 adds the closed-trace value ({@link ClosedTrace}) and
     * the summary's flag that says a trace's values are in it: the bytes of layout 4 read as they are (the
     * flag unset, the trace's values where 0.1.0 kept them), so its savepoints migrate, while a release that
     * knows only layout 4 refuses a savepoint of layout 5 instead of losing closed traces' spans. The class
     * keeps its name: savepoints record it. Savepoints of the unreleased layouts before 4 wrote
     * {@link StateLayout3Snapshot} or {@link Snapshot}; restoring one fails with Flink's
     * incompatible-serializer error rather than pairing restored summaries with states under names this
     * job no longer reads (docs/upgrades.md).
     */
    public static final class StateLayout4Snapshot extends LayoutSnapshot<TraceSummary> {
        public StateLayout4Snapshot() {
            super(5, 4, layout -> layout == 4 || layout == 5 ? INSTANCE : null);
        }
    }

    /** Layout 3 (one state entry per tracked span, unreleased): kept so that its savepoints can be read and refused. */
    public static final class StateLayout3Snapshot extends SimpleTypeSerializerSnapshot<TraceSummary> {
        public StateLayout3Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** The snapshot of the earliest (unreleased) layout: kept so that its savepoints can be read and refused. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<TraceSummary> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
