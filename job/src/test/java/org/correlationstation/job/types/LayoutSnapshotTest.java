package org.correlationstation.job.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * How a layout change restores: an earlier layout this release reads migrates (Flink reads with the
 * restored reader, writes with the current serializer); a layout it cannot read, or a newer one, is
 * refused rather than misread.
 */
class LayoutSnapshotTest {
    /** A state written as a long in layout 1 and as text since layout 2; layout 3 is a future one. */
    public static final class Layout1 extends LayoutSnapshot<Object> {
        public Layout1() {
            super(1, 1, Layout2::reader);
        }
    }

    public static final class Layout2 extends LayoutSnapshot<Object> {
        public Layout2() {
            super(2, 1, Layout2::reader);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        static TypeSerializer<Object> reader(int layout) {
            return layout == 1 ? (TypeSerializer) LongSerializer.INSTANCE
                    : layout == 2 ? (TypeSerializer) StringSerializer.INSTANCE : null;
        }
    }

    @Test
    void anEarlierLayoutMigratesWithItsReader() throws Exception {
        TypeSerializerSnapshot<Object> old = written(new Layout1(), Layout2.class);
        TypeSerializerSchemaCompatibility<Object> compatibility = new Layout2().resolveSchemaCompatibility(old);
        assertThat(compatibility.isCompatibleAfterMigration()).isTrue();
        assertThat(old.restoreSerializer()).isSameAs(LongSerializer.INSTANCE);
    }

    @Test
    void theCurrentLayoutIsCompatibleAsIs() throws Exception {
        TypeSerializerSnapshot<Object> same = written(new Layout2(), Layout2.class);
        assertThat(new Layout2().resolveSchemaCompatibility(same).isCompatibleAsIs()).isTrue();
        assertThat(same.restoreSerializer()).isSameAs(StringSerializer.INSTANCE);
    }

    @Test
    void aNewerLayoutIsRefusedAndNotMisread() throws Exception {
        TypeSerializerSnapshot<Object> newer = written(new Layout2().at(3), Layout2.class);
        assertThat(new Layout2().resolveSchemaCompatibility(newer).isIncompatible()).isTrue();
        assertThatThrownBy(newer::restoreSerializer).hasMessageContaining("no reader for state layout 3");
    }

    @Test
    void anotherClassesSnapshotIsRefused() throws Exception {
        assertThat(new Layout2().resolveSchemaCompatibility(new Layout1()).isIncompatible()).isTrue();
    }

    /** The snapshot as a savepoint holds it, read back as class {@code as} (a release's snapshot class keeps its name). */
    @SuppressWarnings("unchecked")
    private static TypeSerializerSnapshot<Object> written(LayoutSnapshot<Object> snapshot, Class<?> as) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        snapshot.writeSnapshot(out);
        LayoutSnapshot<Object> read = (LayoutSnapshot<Object>) as.getDeclaredConstructor().newInstance();
        read.readSnapshot(snapshot.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()),
                LayoutSnapshotTest.class.getClassLoader());
        return read;
    }
}
