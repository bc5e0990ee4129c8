package org.correlationstation.job.types;

import static org.correlationstation.job.types.CompactEncoding.readId;
import static org.correlationstation.job.types.CompactEncoding.readString;
import static org.correlationstation.job.types.CompactEncoding.writeId;
import static org.correlationstation.job.types.CompactEncoding.writeString;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.core.record.CorrelationRecord;

/**
 * Correlation records between the correlator and the sinks that run as their own tasks (Redis, the
 * correlations topic): Flink's POJO serializer, with its reflection per field and per list element, was
 * a quarter of an emission's cost. Records are never kept in keyed or operator state (the Redis sink
 * keeps their JSON), but with unaligned checkpoints records in flight are: a change of the field order
 * then needs a snapshot class that refuses this one.
 */
public final class CorrelationRecordSerializer extends CompactSerializer<CorrelationRecord> {
    private static final long serialVersionUID = 1L;
    public static final CorrelationRecordSerializer INSTANCE = new CorrelationRecordSerializer();

    @Override
    public CorrelationRecord createInstance() {
        return new CorrelationRecord();
    }

    @Override
    public CorrelationRecord copy(CorrelationRecord from) {
        CorrelationRecord r = new CorrelationRecord();
        r.schemaVersion = from.schemaVersion;
        r.correlationId = from.correlationId;
        r.traceId = from.traceId;
        r.legacyTraceId = from.legacyTraceId;
        r.status = from.status;
        r.version = from.version;
        r.firstSeen = from.firstSeen;
        r.lastSeen = from.lastSeen;
        r.durationMs = from.durationMs;
        r.root = from.root == null ? null : new CorrelationRecord.Root(from.root.service, from.root.operation, from.root.spanId);
        r.service = from.service;
        r.services = from.services == null ? null : new ArrayList<>(from.services);
        r.env = from.env;
        r.spanCount = from.spanCount;
        r.logCount = from.logCount;
        r.errorSpanCount = from.errorSpanCount;
        r.errorLogCount = from.errorLogCount;
        r.maxSeverity = from.maxSeverity;
        r.hasError = from.hasError;
        if (from.edges == null) {
            r.edges = null;
        } else {
            r.edges = new ArrayList<>(from.edges.size());
            for (CorrelationRecord.Edge e : from.edges) r.edges.add(new CorrelationRecord.Edge(e.parent, e.child, e.calls, e.errors));
        }
        if (from.links == null) {
            r.links = null;
        } else {
            r.links = new ArrayList<>(from.links.size());
            for (CorrelationRecord.Link l : from.links) {
                r.links.add(new CorrelationRecord.Link(l.spanId, l.spanName, l.service, l.logCount, l.inferredLogCount));
            }
        }
        r.lateEvents = from.lateEvents;
        r.truncated = from.truncated;
        r.updatedAt = from.updatedAt;
        return r;
    }

    @Override
    public void serialize(CorrelationRecord r, DataOutputView out) throws IOException {
        out.writeInt(r.schemaVersion);
        writeString(out, r.correlationId);
        writeId(out, r.traceId);
        writeString(out, r.legacyTraceId);
        writeString(out, r.status);
        out.writeLong(r.version);
        writeString(out, r.firstSeen);
        writeString(out, r.lastSeen);
        out.writeLong(r.durationMs);
        out.writeBoolean(r.root != null);
        if (r.root != null) {
            writeString(out, r.root.service);
            writeString(out, r.root.operation);
            writeId(out, r.root.spanId);
        }
        writeString(out, r.service);
        writeStrings(out, r.services);
        writeString(out, r.env);
        out.writeLong(r.spanCount);
        out.writeLong(r.logCount);
        out.writeLong(r.errorSpanCount);
        out.writeLong(r.errorLogCount);
        writeString(out, r.maxSeverity);
        out.writeBoolean(r.hasError);
        out.writeInt(r.edges == null ? -1 : r.edges.size());
        if (r.edges != null) {
            for (CorrelationRecord.Edge e : r.edges) {
                writeString(out, e.parent);
                writeString(out, e.child);
                out.writeLong(e.calls);
                out.writeLong(e.errors);
            }
        }
        out.writeInt(r.links == null ? -1 : r.links.size());
        if (r.links != null) {
            for (CorrelationRecord.Link l : r.links) {
                writeId(out, l.spanId);
                writeString(out, l.spanName);
                writeString(out, l.service);
                out.writeLong(l.logCount);
                out.writeLong(l.inferredLogCount);
            }
        }
        out.writeLong(r.lateEvents);
        out.writeBoolean(r.truncated);
        writeString(out, r.updatedAt);
    }

    @Override
    public CorrelationRecord deserialize(DataInputView in) throws IOException {
        CorrelationRecord r = new CorrelationRecord();
        r.schemaVersion = in.readInt();
        r.correlationId = readString(in);
        r.traceId = readId(in);
        r.legacyTraceId = readString(in);
        r.status = readString(in);
        r.version = in.readLong();
        r.firstSeen = readString(in);
        r.lastSeen = readString(in);
        r.durationMs = in.readLong();
        if (in.readBoolean()) r.root = new CorrelationRecord.Root(readString(in), readString(in), readId(in));
        r.service = readString(in);
        r.services = readStrings(in);
        r.env = readString(in);
        r.spanCount = in.readLong();
        r.logCount = in.readLong();
        r.errorSpanCount = in.readLong();
        r.errorLogCount = in.readLong();
        r.maxSeverity = readString(in);
        r.hasError = in.readBoolean();
        int edges = in.readInt();
        r.edges = edges < 0 ? null : new ArrayList<>(edges);
        for (int i = 0; i < edges; i++) {
            r.edges.add(new CorrelationRecord.Edge(readString(in), readString(in), in.readLong(), in.readLong()));
        }
        int links = in.readInt();
        r.links = links < 0 ? null : new ArrayList<>(links);
        for (int i = 0; i < links; i++) {
            r.links.add(new CorrelationRecord.Link(readId(in), readString(in), readString(in), in.readLong(), in.readLong()));
        }
        r.lateEvents = in.readLong();
        r.truncated = in.readBoolean();
        r.updatedAt = readString(in);
        return r;
    }

    private static void writeStrings(DataOutputView out, List<String> values) throws IOException {
        out.writeInt(values == null ? -1 : values.size());
        if (values != null) {
            for (String v : values) writeString(out, v);
        }
    }

    private static List<String> readStrings(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) return null;
        List<String> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) values.add(readString(in));
        return values;
    }

    @Override
    public TypeSerializerSnapshot<CorrelationRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<CorrelationRecord> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
