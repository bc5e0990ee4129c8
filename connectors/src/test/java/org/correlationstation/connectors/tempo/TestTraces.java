package org.correlationstation.connectors.tempo;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.correlationstation.core.model.OtlpTraces;

/** TracesData messages with everything Tempo must get unchanged: resource and scope attributes of all value types, events, links, status. */
final class TestTraces {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private TestTraces() {}

    static TracesData tracesData(String service, int spans) {
        return tracesData(service, spans, "op");
    }

    static TracesData tracesData(String service, int spans, String spanName) {
        int n = SEQ.incrementAndGet();
        ByteString traceId = randomBytes(16);
        Resource resource = Resource.newBuilder()
                .addAttributes(kv("service.name", AnyValue.newBuilder().setStringValue(service).build()))
                .addAttributes(kv("host.cpu", AnyValue.newBuilder().setIntValue(8).build()))
                .addAttributes(kv("sample.ratio", AnyValue.newBuilder().setDoubleValue(0.25).build()))
                .addAttributes(kv("tags", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                        .addValues(AnyValue.newBuilder().setStringValue("a"))
                        .addValues(AnyValue.newBuilder().setBoolValue(true))).build()))
                .addAttributes(kv("nested", AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                        .addValues(kv("k", AnyValue.newBuilder().setBytesValue(randomBytes(4)).build()))).build()))
                .setDroppedAttributesCount(1)
                .build();
        ScopeSpans.Builder scope = ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("io.test.lib").setVersion("1.2." + n)
                        .addAttributes(kv("scope.attr", AnyValue.newBuilder().setStringValue("x" + n).build())))
                .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0");
        long start = 1_700_000_000_000_000_000L + n * 1_000_000L;
        for (int i = 0; i < spans; i++) {
            scope.addSpans(Span.newBuilder()
                    .setTraceId(traceId)
                    .setSpanId(randomBytes(8))
                    .setParentSpanId(i == 0 ? ByteString.EMPTY : randomBytes(8))
                    .setTraceState("vendor=" + n)
                    .setName(spanName)
                    .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                    .setStartTimeUnixNano(start + i)
                    .setEndTimeUnixNano(start + i + 5_000_000)
                    .addAttributes(kv("http.route", AnyValue.newBuilder().setStringValue("/r/" + i).build()))
                    .addEvents(Span.Event.newBuilder().setName("ev").setTimeUnixNano(start + i + 1)
                            .addAttributes(kv("e", AnyValue.newBuilder().setIntValue(i).build())))
                    .addLinks(Span.Link.newBuilder().setTraceId(randomBytes(16)).setSpanId(randomBytes(8)))
                    .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("boom"))
                    .setFlags(0x101)
                    .setDroppedEventsCount(2));
        }
        return TracesData.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scope)
                        .setSchemaUrl("https://opentelemetry.io/schemas/1.21.0"))
                .build();
    }

    static OtlpTraces otlp(TracesData data) {
        return new OtlpTraces(data.toByteArray(), spanCount(data));
    }

    static int spanCount(TracesData data) {
        return data.getResourceSpansList().stream().flatMap(rs -> rs.getScopeSpansList().stream())
                .mapToInt(ScopeSpans::getSpansCount).sum();
    }

    private static KeyValue kv(String key, AnyValue value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }

    private static ByteString randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return ByteString.copyFrom(b);
    }
}
