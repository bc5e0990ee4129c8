package org.correlationstation.connectors.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/** What Flink needs of the sink's types: a POJO entry, a serialisable sink, a state serializer. */
class LokiSinkTypesTest {
    @Test
    void lokiEntryIsAFlinkPojo() {
        assertThat(TypeInformation.of(LokiEntry.class)).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void sinkIsSerializable() throws Exception {
        LokiSink sink = LokiSink.builder().setPushUrl("http://user:secret@loki:3100/loki/api/v1/push")
                .setTenant("t").build();
        LokiSink copy = InstantiationUtil.clone(sink);
        assertThat(copy.options()).isEqualTo(sink.options());
        assertThat(sink.toString()).doesNotContain("secret");
        LokiSink tokenInQuery = LokiSink.builder()
                .setPushUrl("https://loki:3100/loki/api/v1/push?access_token=tok-secret-7").build();
        assertThat(tokenInQuery.toString()).doesNotContain("tok-secret-7").contains("access_token=***");
    }

    @Test
    void rejectsBadUrls() {
        assertThatThrownBy(() -> LokiSink.builder().build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LokiSink.builder().setPushUrl("loki:3100").build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stateSerializerRoundTrip() throws Exception {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("trace_id", "abc");
        meta.put("k", "x".repeat(70_000));
        LokiEntry a = new LokiEntry("svc", null, "info", 42, "line ü", meta);
        LokiEntry b = new LokiEntry();
        var state = new BufferedRequestState<>(List.of(new RequestEntryWrapper<>(a, 10), new RequestEntryWrapper<>(b, 1)));
        LokiEntrySerializer serializer = new LokiEntrySerializer();

        var restored = serializer.deserialize(serializer.getVersion(), serializer.serialize(state));

        assertThat(restored.getBufferedRequestEntries()).extracting(RequestEntryWrapper::getRequestEntry)
                .containsExactly(a, b);
    }
}
