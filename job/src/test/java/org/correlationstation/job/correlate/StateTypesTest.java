package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.CompositeType;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every type in state or on the wire is a Flink POJO all the way down: no Kryo (SPEC/issue: asserted). */
class StateTypesTest {
    @ParameterizedTest
    @ValueSource(classes = {TraceSummary.class, SpanInfo.class, LinkCounts.class, PendingLog.class, JoinedLog.class,
            SpanEvent.class, LogEvent.class, CorrelationRecord.class})
    void isAPojoWithoutGenericFields(Class<?> type) {
        TypeInformation<?> info = TypeInformation.of(type);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        assertNoGenericTypes(info, type.getSimpleName());
    }

    private static void assertNoGenericTypes(TypeInformation<?> info, String path) {
        assertThat(info).as(path + " would be serialised by Kryo").isNotInstanceOf(GenericTypeInfo.class);
        if (info instanceof CompositeType<?> composite) {
            for (int i = 0; i < composite.getArity(); i++) {
                assertNoGenericTypes(composite.getTypeAt(i), path + "." + composite.getFieldNames()[i]);
            }
        }
        if (info instanceof ListTypeInfo<?> list) assertNoGenericTypes(list.getElementTypeInfo(), path + "[]");
        List<TypeInformation<?>> params = List.copyOf(info.getGenericParameters().values());
        for (TypeInformation<?> p : params) assertNoGenericTypes(p, path + "<>");
    }
}
