package org.correlationstation.job.types;

import java.io.IOException;
import java.util.function.IntFunction;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The snapshot of a hand-written serializer whose byte layout can change between releases: it records
 * the layout its state was written in, and restoring a savepoint of an earlier layout migrates the state
 * (Flink reads it with {@link #restoreSerializer()}, the reader of that layout, and writes it again with
 * the current serializer) instead of refusing it. Every layout a release wrote keeps its reader, and its
 * bytes are checked in as golden data (job/src/test/resources/serializers/, docs/upgrades.md).
 *
 * <p>Release 0.1.0 wrote these snapshots as Flink's {@code SimpleTypeSerializerSnapshot} under the same
 * class names: its format (version 3) records nothing, and stands for {@link #firstReleasedLayout}.
 */
public abstract class LayoutSnapshot<T> implements TypeSerializerSnapshot<T> {
    /** {@code SimpleTypeSerializerSnapshot}'s format, as 0.1.0 wrote it: no content. */
    private static final int SIMPLE_SNAPSHOT_FORMAT = 3;
    /** This class's format: the layout number. */
    private static final int LAYOUT_FORMAT = 4;

    private final int currentLayout;
    private final int firstReleasedLayout;
    private final IntFunction<TypeSerializer<T>> readers;
    private int layout;

    /**
     * @param currentLayout the layout the current serializer writes
     * @param firstReleasedLayout the layout release 0.1.0 wrote
     * @param readers a serializer that reads a layout (the current serializer for the current one), or null
     *     for a layout no release wrote
     */
    protected LayoutSnapshot(int currentLayout, int firstReleasedLayout, IntFunction<TypeSerializer<T>> readers) {
        this.currentLayout = currentLayout;
        this.firstReleasedLayout = firstReleasedLayout;
        this.readers = readers;
        this.layout = currentLayout;
    }

    /** The layout of the state this snapshot describes. */
    public int layout() {
        return layout;
    }

    /** This snapshot, describing state of an earlier layout (for snapshots that nest this one). */
    public LayoutSnapshot<T> at(int earlierLayout) {
        this.layout = earlierLayout;
        return this;
    }

    @Override
    public int getCurrentVersion() {
        return LAYOUT_FORMAT;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeInt(layout);
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader) throws IOException {
        if (readVersion == SIMPLE_SNAPSHOT_FORMAT) {
            layout = firstReleasedLayout;
        } else if (readVersion == LAYOUT_FORMAT) {
            layout = in.readInt();
        } else {
            throw new IOException(getClass().getName() + ": unknown snapshot format " + readVersion
                    + " (written by a newer release? docs/upgrades.md)");
        }
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
        TypeSerializer<T> reader = layout > currentLayout ? null : readers.apply(layout);
        if (reader == null) {
            throw new IllegalStateException(getClass().getName() + ": no reader for state layout " + layout
                    + " (this release writes layout " + currentLayout + "; docs/upgrades.md)");
        }
        return reader;
    }

    /**
     * As-is for the current layout; after migration for an earlier layout this release reads; otherwise
     * (a newer layout, or another class's snapshot) incompatible, which Flink reports naming the state.
     */
    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> oldSnapshot) {
        if (oldSnapshot == null || oldSnapshot.getClass() != getClass()) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        int old = ((LayoutSnapshot<T>) oldSnapshot).layout;
        if (old == currentLayout) return TypeSerializerSchemaCompatibility.compatibleAsIs();
        if (old < currentLayout && readers.apply(old) != null) {
            return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        return TypeSerializerSchemaCompatibility.incompatible();
    }
}
