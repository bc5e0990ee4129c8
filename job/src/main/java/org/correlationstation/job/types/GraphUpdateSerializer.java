package org.correlationstation.job.types;

import static org.correlationstation.job.types.CompactEncoding.readString;
import static org.correlationstation.job.types.CompactEncoding.writeString;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.graph.GraphUpdate;

/** A service-graph increment or total between operators: bucket, element (parent may be absent), counts. */
public final class GraphUpdateSerializer extends CompactSerializer<GraphUpdate> {
    private static final long serialVersionUID = 1L;
    public static final GraphUpdateSerializer INSTANCE = new GraphUpdateSerializer();

    @Override
    public GraphUpdate createInstance() {
        return new GraphUpdate(0, GraphKey.node(""), GraphCountsSerializer.INSTANCE.createInstance());
    }

    @Override
    public GraphUpdate copy(GraphUpdate from) {
        return new GraphUpdate(from.bucketStartMillis(), from.key(), from.counts().copy());
    }

    @Override
    public void serialize(GraphUpdate u, DataOutputView out) throws IOException {
        out.writeLong(u.bucketStartMillis());
        writeString(out, u.key().parent()); // null for a node
        writeString(out, u.key().service());
        GraphCountsSerializer.INSTANCE.serialize(u.counts(), out);
    }

    @Override
    public GraphUpdate deserialize(DataInputView in) throws IOException {
        long bucket = in.readLong();
        String parent = readString(in);
        GraphKey key = new GraphKey(parent, readString(in));
        return new GraphUpdate(bucket, key, GraphCountsSerializer.INSTANCE.deserialize(in));
    }

    @Override
    public TypeSerializerSnapshot<GraphUpdate> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Layout 1 (release 0.2.0). */
    public static final class Snapshot extends LayoutSnapshot<GraphUpdate> {
        public Snapshot() {
            super(1, 1, layout -> layout == 1 ? INSTANCE : null);
        }
    }
}
