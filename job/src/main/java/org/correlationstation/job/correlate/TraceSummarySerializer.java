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
import java.util.HexFormat;
import java.util.UUID;
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
 * flags in one byte, times as varint offsets from a time of their kind (layout 6). The trace id and the
 * correlation id are not written: the state's key is the trace id, and the correlation id is derived
 * from it (SPEC §3), so the correlator sets both when it reads a summary ({@link TraceSummary#ofTrace}).
 * They were 34 of a closed trace's ~1,030 bytes. Earlier layouts are read by {@link
 * TraceSummaryEarlierLayoutSerializer}: 0.1.0's layout 4 wrote every time as 8 bytes and both ids as
 * text, the unreleased layout 5 both ids as bytes. {@code StateTypesTest} fails when a field of
 * {@link TraceSummary} other than the two ids is not written here.
 */
public final class TraceSummarySerializer extends CompactSerializer<TraceSummary> {
    private static final long serialVersionUID = 1L;
    static final TraceSummarySerializer INSTANCE = new TraceSummarySerializer();

    private static final int HAS_ROOT = 1;
    private static final int TRUNCATED = 1 << 1;
    private static final int CLOSED = 1 << 2;
    private static final int DIRTY = 1 << 3;
    private static final int EMITTED = 1 << 4;
    /** Layout 5: the trace's values are in its closed-trace value. */
    private static final int CLOSED_FORM = 1 << 5;
    private static final HexFormat HEX = HexFormat.of();

    @Override
    public TraceSummary createInstance() {
        return new TraceSummary();
    }

    /** The current layout. */
    static final int LAYOUT = 6;

    /** A copy with every field, the ids too (a heap backend copies values it holds, and those keep their ids). */
    @Override
    public TraceSummary copy(TraceSummary from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            write(from, out, 5);
            return read(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()), 5);
        } catch (IOException e) {
            throw new IllegalStateException("copying a trace summary in memory", e);
        }
    }

    @Override
    public void serialize(TraceSummary s, DataOutputView out) throws IOException {
        write(s, out, LAYOUT);
    }

    /** The summary without its trace id and correlation id: set them from the key ({@link TraceSummary#ofTrace}). */
    @Override
    public TraceSummary deserialize(DataInputView in) throws IOException {
        return read(in, LAYOUT);
    }

    /**
     * {@code layout} 6 (the current one), 5 (layout 6 with both ids, as bytes) or 4 (release 0.1.0's:
     * every time as 8 bytes, the correlation id as text, no closed form), which
     * {@link TraceSummaryEarlierLayoutSerializer} reads to migrate earlier savepoints.
     */
    static void write(TraceSummary s, DataOutputView out, int layout) throws IOException {
        boolean layout4 = layout == 4;
        if (layout < 6) {
            writeId(out, s.traceId);
            if (layout4) writeString(out, s.correlationId);
            else writeCorrelationId(out, s.correlationId);
        }
        writeString(out, s.legacyTraceId);
        writeVarLong(out, s.spanCount);
        writeVarLong(out, s.logCount);
        writeVarLong(out, s.errorSpanCount);
        writeVarLong(out, s.errorLogCount);
        writeVarInt(out, s.maxSeverity);
        // Times as offsets from one of their kind: a trace's times lie within minutes of each other.
        time(out, s.firstSeen, 0, layout4);
        time(out, s.lastSeen, s.firstSeen, layout4);
        time(out, s.minSpanStart, s.firstSeen * 1_000_000L, layout4); // nanoseconds, near the earliest event's millisecond
        time(out, s.maxSpanEnd, s.minSpanStart, layout4);
        writeId(out, s.rootSpanId);
        writeString(out, s.rootService);
        writeString(out, s.rootOperation);
        writeString(out, s.rootEnv);
        time(out, s.rootStartNanos, s.minSpanStart, layout4);
        writeString(out, s.minEnv);
        writeVarInt(out, s.services.length);
        for (String service : s.services) writeString(out, service);
        writeVarInt(out, s.trackedSpans);
        writeVarInt(out, s.trackedLogs);
        writeVarInt(out, s.linkEntries);
        writeVarLong(out, s.lateEvents);
        out.writeByte((s.hasRoot ? HAS_ROOT : 0) | (s.truncated ? TRUNCATED : 0) | (s.closed ? CLOSED : 0)
                | (s.dirty ? DIRTY : 0) | (s.emitted ? EMITTED : 0) | (s.closedForm && !layout4 ? CLOSED_FORM : 0));
        time(out, s.firstArrival, 0, layout4);
        time(out, s.lastArrival, s.firstArrival, layout4);
        time(out, s.closedAt, s.firstArrival, layout4);
        time(out, s.lastEmitAt, s.firstArrival, layout4);
        writeVarLong(out, s.version);
        out.writeLong(s.lastContentHash);
        writeVarInt(out, s.pendingLogs);
        writeVarInt(out, s.pendingWithSpanId);
        time(out, s.pendingDueEventTime, s.firstSeen, layout4);
        time(out, s.pendingDueProcessingTime, s.firstArrival, layout4);
        time(out, s.eventTimer, s.firstSeen, layout4);
        time(out, s.processingTimer, s.firstArrival, layout4);
    }

    static TraceSummary read(DataInputView in, int layout) throws IOException {
        boolean layout4 = layout == 4;
        TraceSummary s = new TraceSummary();
        if (layout < 6) {
            s.traceId = readId(in);
            s.correlationId = layout4 ? readString(in) : readCorrelationId(in);
        }
        s.legacyTraceId = readString(in);
        s.spanCount = readVarLong(in);
        s.logCount = readVarLong(in);
        s.errorSpanCount = readVarLong(in);
        s.errorLogCount = readVarLong(in);
        s.maxSeverity = readVarInt(in);
        s.firstSeen = time(in, 0, layout4);
        s.lastSeen = time(in, s.firstSeen, layout4);
        s.minSpanStart = time(in, s.firstSeen * 1_000_000L, layout4);
        s.maxSpanEnd = time(in, s.minSpanStart, layout4);
        s.rootSpanId = readId(in);
        s.rootService = readString(in);
        s.rootOperation = readString(in);
        s.rootEnv = readString(in);
        s.rootStartNanos = time(in, s.minSpanStart, layout4);
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
        s.closedForm = !layout4 && (flags & CLOSED_FORM) != 0;
        s.firstArrival = time(in, 0, layout4);
        s.lastArrival = time(in, s.firstArrival, layout4);
        s.closedAt = time(in, s.firstArrival, layout4);
        s.lastEmitAt = time(in, s.firstArrival, layout4);
        s.version = readVarLong(in);
        s.lastContentHash = in.readLong();
        s.pendingLogs = readVarInt(in);
        s.pendingWithSpanId = readVarInt(in);
        s.pendingDueEventTime = time(in, s.firstSeen, layout4);
        s.pendingDueProcessingTime = time(in, s.firstArrival, layout4);
        s.eventTimer = time(in, s.firstSeen, layout4);
        s.processingTimer = time(in, s.firstArrival, layout4);
        return s;
    }

    private static void time(DataOutputView out, long value, long base, boolean layout4) throws IOException {
        if (layout4) out.writeLong(value);
        else writeTime(out, value, base);
    }

    private static long time(DataInputView in, long base, boolean layout4) throws IOException {
        return layout4 ? in.readLong() : readTime(in, base);
    }

    /** {@link #writeTime} codes: the unset values and those too far from their base get codes of their own. */
    private static final int TIME_ZERO = 0;
    private static final int TIME_MAX = 1;
    private static final int TIME_MIN = 2;
    private static final int TIME_RAW = 3;
    private static final int TIME_OFFSET = 4;

    /**
     * A time (or unset: 0, {@code Long.MAX_VALUE}, {@code Long.MIN_VALUE}) as a varint of its zigzag
     * offset from {@code base}: 2-5 bytes where a long took 8. Lossless for every value.
     */
    static void writeTime(DataOutputView out, long value, long base) throws IOException {
        if (value == 0) {
            writeVarLong(out, TIME_ZERO);
        } else if (value == Long.MAX_VALUE) {
            writeVarLong(out, TIME_MAX);
        } else if (value == Long.MIN_VALUE) {
            writeVarLong(out, TIME_MIN);
        } else {
            long delta = value - base;
            long zigzag = (delta << 1) ^ (delta >> 63);
            if (zigzag >= 0) { // below 2^63 unsigned, so the code after it does not wrap
                writeVarLong(out, zigzag + TIME_OFFSET);
            } else {
                writeVarLong(out, TIME_RAW);
                out.writeLong(value);
            }
        }
    }

    static long readTime(DataInputView in, long base) throws IOException {
        long code = readVarLong(in);
        if (code == TIME_ZERO) return 0;
        if (code == TIME_MAX) return Long.MAX_VALUE;
        if (code == TIME_MIN) return Long.MIN_VALUE;
        if (code == TIME_RAW) return in.readLong();
        long zigzag = code - TIME_OFFSET;
        return base + ((zigzag >>> 1) ^ -(zigzag & 1));
    }

    /** Tags of {@link #writeCorrelationId}. */
    private static final int CORRELATION_TEXT = 0;
    private static final int CORRELATION_UUID = 1;

    /** A correlation id (a UUID in its lowercase text form, SPEC §3) as its 16 bytes; anything else as text. */
    static void writeCorrelationId(DataOutputView out, String id) throws IOException {
        if (id != null && isLowercaseUuid(id)) {
            out.writeByte(CORRELATION_UUID);
            out.writeLong(HEX.fromHexDigitsToLong(id, 0, 8) << 32 | HEX.fromHexDigitsToLong(id, 9, 13) << 16
                    | HEX.fromHexDigitsToLong(id, 14, 18));
            out.writeLong(HEX.fromHexDigitsToLong(id, 19, 23) << 48 | HEX.fromHexDigitsToLong(id, 24, 36));
        } else {
            out.writeByte(CORRELATION_TEXT);
            writeString(out, id);
        }
    }

    static String readCorrelationId(DataInputView in) throws IOException {
        int tag = in.readUnsignedByte();
        if (tag == CORRELATION_UUID) return new UUID(in.readLong(), in.readLong()).toString();
        if (tag == CORRELATION_TEXT) return readString(in);
        throw new IOException("malformed correlation id tag " + tag + " in a trace summary");
    }

    private static boolean isLowercaseUuid(String id) {
        if (id.length() != 36) return false;
        for (int i = 0; i < 36; i++) {
            char c = id.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
        }
        return true;
    }

    @Override
    public TypeSerializerSnapshot<TraceSummary> snapshotConfiguration() {
        return new StateLayout4Snapshot();
    }

    /** {@code layout}'s reader, or null for a layout no build wrote. */
    static CompactSerializer<TraceSummary> reader(int layout) {
        if (layout == LAYOUT) return INSTANCE;
        if (layout == 4) return TraceSummaryEarlierLayoutSerializer.LAYOUT_4;
        if (layout == 5) return TraceSummaryEarlierLayoutSerializer.LAYOUT_5;
        return null;
    }

    /**
     * The summary's snapshot also stands for the layout of the correlator's other states, which it
     * describes (counts of tracked spans, logs and links, pending logs). Layout 4 (one list of tracked
     * spans) is the layout of release 0.1.0. Layout 5 adds the closed-trace value ({@link ClosedTrace}) and
     * the summary's flag that says a trace's values are in it, and writes times and the correlation id in
     * fewer bytes (unreleased); layout 6 leaves out the trace id and the correlation id, which the key
     * gives. {@link TraceSummaryEarlierLayoutSerializer} reads layouts 4 and 5 and Flink migrates them on
     * restore (0.1.0's closed traces keep their values where 0.1.0 kept them), while a release that knows
     * only an earlier layout refuses a savepoint of a later one. The class
     * keeps its name: savepoints record it. Savepoints of the unreleased layouts before 4 wrote
     * {@link StateLayout3Snapshot} or {@link Snapshot}; restoring one fails with Flink's
     * incompatible-serializer error rather than pairing restored summaries with states under names this
     * job no longer reads (docs/upgrades.md).
     */
    public static final class StateLayout4Snapshot extends LayoutSnapshot<TraceSummary> {
        public StateLayout4Snapshot() {
            super(LAYOUT, 4, TraceSummarySerializer::reader);
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
