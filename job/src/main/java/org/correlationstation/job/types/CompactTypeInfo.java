package org.correlationstation.job.types;

import java.util.function.Supplier;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.util.function.SerializableSupplier;

/** Type information that names one of this package's serializers, for streams and state descriptors. */
public final class CompactTypeInfo<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final SerializableSupplier<TypeSerializer<T>> serializer;
    private final boolean keyType;

    public CompactTypeInfo(Class<T> type, SerializableSupplier<TypeSerializer<T>> serializer) {
        this(type, serializer, false);
    }

    /** @param keyType whether it may key a stream: its serializer must then write equal values as equal bytes */
    public CompactTypeInfo(Class<T> type, SerializableSupplier<TypeSerializer<T>> serializer, boolean keyType) {
        this.type = type;
        this.serializer = serializer;
        this.keyType = keyType;
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return keyType;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return ((Supplier<TypeSerializer<T>>) serializer).get();
    }

    @Override
    public String toString() {
        return "Compact<" + type.getSimpleName() + ">";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CompactTypeInfo<?> other && other.canEqual(this) && other.type == type
                && other.keyType == keyType;
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof CompactTypeInfo;
    }
}
