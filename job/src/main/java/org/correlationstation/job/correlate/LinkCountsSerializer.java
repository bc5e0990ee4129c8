package org.correlationstation.job.correlate;

import static org.correlationstation.job.types.CompactEncoding.readVarLong;
import static org.correlationstation.job.types.CompactEncoding.writeVarLong;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.job.types.CompactSerializer;
import org.correlationstation.job.types.LayoutSnapshot;

/** Two small counters per linked span: varints, usually two bytes in all. */
public final class LinkCountsSerializer extends CompactSerializer<LinkCounts> {
    private static final long serialVersionUID = 1L;
    static final LinkCountsSerializer INSTANCE = new LinkCountsSerializer();

    @Override
    public LinkCounts createInstance() {
        return new LinkCounts();
    }

    @Override
    public LinkCounts copy(LinkCounts from) {
        LinkCounts c = new LinkCounts();
        c.logCount = from.logCount;
        c.inferredLogCount = from.inferredLogCount;
        return c;
    }

    @Override
    public void serialize(LinkCounts c, DataOutputView out) throws IOException {
        writeVarLong(out, c.logCount);
        writeVarLong(out, c.inferredLogCount);
    }

    @Override
    public LinkCounts deserialize(DataInputView in) throws IOException {
        LinkCounts c = new LinkCounts();
        c.logCount = readVarLong(in);
        c.inferredLogCount = readVarLong(in);
        return c;
    }

    @Override
    public TypeSerializerSnapshot<LinkCounts> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Layout 1 (release 0.1.0): a change of {@code serialize} is a new layout (docs/upgrades.md). */
    public static final class Snapshot extends LayoutSnapshot<LinkCounts> {
        public Snapshot() {
            super(1, 1, layout -> layout == 1 ? INSTANCE : null);
        }
    }
}
