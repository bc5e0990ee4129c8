package org.correlationstation.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What crosses the network between operators is serialised by Flink's POJO serializer, never Kryo. */
class TelemetryTypesTest {

    @ParameterizedTest
    @ValueSource(classes = {TelemetryEnvelope.class, DeadLetter.class, SpanEvent.class, LogEvent.class})
    void isAPojoWithoutGenericFields(Class<?> type) {
        assertNoKryo(TypeInformation.of(type));
    }

    private static void assertNoKryo(TypeInformation<?> info) {
        assertThat(info).as(info.toString()).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) info;
        for (int i = 0; i < pojo.getArity(); i++) {
            TypeInformation<?> field = pojo.getTypeAt(i);
            assertThat(field).as(pojo.getTypeClass().getSimpleName() + "." + pojo.getPojoFieldAt(i).getField().getName())
                    .isNotInstanceOf(GenericTypeInfo.class);
            if (field instanceof PojoTypeInfo) assertNoKryo(field);
        }
    }
}
