package org.correlationstation.core.testdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.OtlpDecoder;

/**
 * Builds the OTLP messages an OpenTelemetry Collector would put on Kafka for given normalised events,
 * so that a test can state what it expects as events and feed the wire form: decoding the result
 * gives the events back (with the decoder's default env where an event has none).
 */
public final class OtlpMessages {
    public static final String SCOPE = "correlation-station-tests";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final Set<String> ID_FIELDS =
            Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id");

    private OtlpMessages() {}

    /** One ResourceSpans per (service, env), in order of first appearance. */
    public static TracesData traces(List<SpanEvent> spans) {
        TracesData.Builder data = TracesData.newBuilder();
        groupByResource(spans, s -> new ResourceKey(s.service, s.env, null)).forEach((resource, group) -> {
            ScopeSpans.Builder scope = ScopeSpans.newBuilder().setScope(scope());
            for (SpanEvent s : group) scope.addSpans(span(s));
            data.addResourceSpans(ResourceSpans.newBuilder().setResource(resource.toResource()).addScopeSpans(scope));
        });
        return data.build();
    }

    /** One ResourceLogs per (service, env, host), in order of first appearance. */
    public static LogsData logs(List<LogEvent> logs) {
        LogsData.Builder data = LogsData.newBuilder();
        groupByResource(logs, l -> new ResourceKey(l.service, l.env, l.host)).forEach((resource, group) -> {
            ScopeLogs.Builder scope = ScopeLogs.newBuilder().setScope(scope());
            for (LogEvent l : group) scope.addLogRecords(logRecord(l));
            data.addResourceLogs(ResourceLogs.newBuilder().setResource(resource.toResource()).addScopeLogs(scope));
        });
        return data.build();
    }

    public static Span span(SpanEvent s) {
        Span.Builder span = Span.newBuilder()
                .setTraceId(id(s.traceId))
                .setSpanId(id(s.spanId))
                .setParentSpanId(id(s.parentSpanId))
                .setName(s.name == null ? "" : s.name)
                .setKind(s.parentSpanId == null ? Span.SpanKind.SPAN_KIND_SERVER : Span.SpanKind.SPAN_KIND_INTERNAL)
                .setStartTimeUnixNano(s.startTimeNanos)
                .setEndTimeUnixNano(s.endTimeNanos);
        if (s.error) span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
        if (s.legacyTraceId != null) {
            span.addAttributes(attribute(OtlpDecoder.LEGACY_TRACE_ID_ATTRIBUTE, s.legacyTraceId));
        }
        return span.build();
    }

    public static LogRecord logRecord(LogEvent l) {
        LogRecord.Builder log = LogRecord.newBuilder()
                .setTraceId(id(l.traceId))
                .setSpanId(id(l.spanId))
                .setTimeUnixNano(l.timeNanos)
                .setObservedTimeUnixNano(l.timeNanos)
                .setSeverityNumberValue(l.severityNumber)
                .setSeverityText(l.severityText == null ? "" : l.severityText);
        if (l.body != null) log.setBody(AnyValue.newBuilder().setStringValue(l.body));
        if (l.legacyTraceId != null) {
            log.addAttributes(attribute(OtlpDecoder.LEGACY_TRACE_ID_ATTRIBUTE, l.legacyTraceId));
        }
        return log.build();
    }

    /** OTLP/JSON as the Collector writes it: camelCase keys, enums as numbers, ids as hex. */
    public static byte[] toJson(Message message) {
        return json(message, JsonFormat.printer().printingEnumsAsInts());
    }

    /** OTLP/JSON with proto (snake_case) field names and enums by name: parsers must accept it too. */
    public static byte[] toSnakeCaseJson(Message message) {
        return json(message, JsonFormat.printer().preservingProtoFieldNames());
    }

    public static KeyValue attribute(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    public static ByteString id(String hex) {
        return hex == null ? ByteString.EMPTY : ByteString.copyFrom(HEX.parseHex(hex));
    }

    private static byte[] json(Message message, JsonFormat.Printer printer) {
        try {
            JsonNode tree = MAPPER.readTree(printer.omittingInsignificantWhitespace().print(message));
            base64IdsToHex(tree);
            return MAPPER.writeValueAsBytes(tree);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // protobuf's JSON mapping writes bytes as base64; OTLP/JSON wants trace and span ids as hex.
    private static void base64IdsToHex(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            object.fields().forEachRemaining(field -> {
                if (ID_FIELDS.contains(field.getKey()) && field.getValue().isTextual()) {
                    byte[] bytes = Base64.getDecoder().decode(field.getValue().asText());
                    field.setValue(object.textNode(HEX.formatHex(bytes)));
                } else {
                    base64IdsToHex(field.getValue());
                }
            });
        } else if (node.isArray()) {
            node.forEach(OtlpMessages::base64IdsToHex);
        }
    }

    private static InstrumentationScope scope() {
        return InstrumentationScope.newBuilder().setName(SCOPE).build();
    }

    private static <E> Map<ResourceKey, List<E>> groupByResource(List<E> events, Function<E, ResourceKey> key) {
        Map<ResourceKey, List<E>> groups = new LinkedHashMap<>();
        for (E e : events) groups.computeIfAbsent(key.apply(e), k -> new ArrayList<>()).add(e);
        return groups;
    }

    private record ResourceKey(String service, String env, String host) {
        Resource toResource() {
            Resource.Builder resource = Resource.newBuilder();
            if (service != null) resource.addAttributes(attribute("service.name", service));
            if (env != null) resource.addAttributes(attribute("deployment.environment.name", env));
            if (host != null) resource.addAttributes(attribute("host.name", host));
            return resource.build();
        }
    }
}
