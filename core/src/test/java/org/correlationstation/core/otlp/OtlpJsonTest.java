package org.correlationstation.core.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.correlationstation.core.testdata.OtlpMessages;
import org.junit.jupiter.api.Test;

/**
 * The streaming OTLP/JSON reader against protobuf's own JSON printer: messages with every field of every
 * OTLP message set to random values (random strings, extreme numbers, unknown enum numbers, nested
 * attribute values) come back equal, whether printed with camelCase keys and enums as numbers (as the
 * Collector writes) or with the protos' snake_case names and enums by name.
 */
class OtlpJsonTest {
    private static final int MESSAGES = 300;

    @Test
    void everyFieldOfRandomTracesAndLogsComesBackAsPrinted() throws Exception {
        Random random = new Random(17);
        for (int i = 0; i < MESSAGES; i++) {
            TracesData traces = (TracesData) fill(TracesData.newBuilder(), random, 0).build();
            assertThat(OtlpJson.parse(OtlpMessages.toJson(traces), TracesData.newBuilder()).build()).isEqualTo(traces);
            assertThat(OtlpJson.parse(OtlpMessages.toSnakeCaseJson(traces), TracesData.newBuilder()).build())
                    .isEqualTo(traces);
            LogsData logs = (LogsData) fill(LogsData.newBuilder(), random, 0).build();
            assertThat(OtlpJson.parse(OtlpMessages.toJson(logs), LogsData.newBuilder()).build()).isEqualTo(logs);
            assertThat(OtlpJson.parse(OtlpMessages.toSnakeCaseJson(logs), LogsData.newBuilder()).build()).isEqualTo(logs);
        }
    }

    @Test
    void takesWhatProtobufsMappingTakes() throws Exception {
        String json = """
                {"resourceSpans":[{"unknown":{"deep":[1,{"x":null}]},"scopeSpans":[{"spans":[{
                  "traceId":"0102030405060708090a0b0c0d0e0f10","span_id":"0102030405060708",
                  "name":null,"kind":"SPAN_KIND_SERVER","startTimeUnixNano":1700000000000000000,
                  "end_time_unix_nano":"1700000000000000001","droppedAttributesCount":"3","flags":1.0,
                  "status":{"code":2},"events":[],"links":null,
                  "attributes":[{"key":"d","value":{"doubleValue":"NaN"}},{"key":"b","value":{"bytesValue":"-_8"}},
                                {"key":"t","value":{"boolValue":"true"}},{"key":"i","value":{"intValue":"-9"}}]
                }]}]}]}""";
        Span span = OtlpJson.parse(json.getBytes(StandardCharsets.UTF_8), TracesData.newBuilder()).build()
                .getResourceSpans(0).getScopeSpans(0).getSpans(0);
        assertThat(span.getTraceId().toByteArray()).hasSize(16).startsWith(1, 2, 3);
        assertThat(span.getSpanId().size()).isEqualTo(8);
        assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(span.getStartTimeUnixNano()).isEqualTo(1_700_000_000_000_000_000L);
        assertThat(span.getEndTimeUnixNano()).isEqualTo(1_700_000_000_000_000_001L);
        assertThat(span.getDroppedAttributesCount()).isEqualTo(3);
        assertThat(span.getFlags()).isEqualTo(1);
        assertThat(span.getStatus().getCodeValue()).isEqualTo(2);
        assertThat(span.getAttributes(0).getValue().getDoubleValue()).isNaN();
        assertThat(span.getAttributes(1).getValue().getBytesValue()).isEqualTo(ByteString.copyFrom(new byte[] {-5, -1}));
        assertThat(span.getAttributes(2).getValue().getBoolValue()).isTrue();
        assertThat(span.getAttributes(3).getValue().getIntValue()).isEqualTo(-9);
        // an unsigned 64-bit time past Long.MAX_VALUE, as a number and as a string
        for (String time : List.of("18446744073709551615", "\"18446744073709551615\"")) {
            Span max = OtlpJson.parse(("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":" + time
                    + "}]}]}]}").getBytes(StandardCharsets.UTF_8), TracesData.newBuilder()).build()
                    .getResourceSpans(0).getScopeSpans(0).getSpans(0);
            assertThat(max.getStartTimeUnixNano()).isEqualTo(-1L);
        }
    }

    @Test
    void refusesWhatDoesNotFitItsField() {
        for (String span : List.of("{\"droppedAttributesCount\":1.5}", "{\"droppedAttributesCount\":4294967296}",
                "{\"startTimeUnixNano\":-1}", "{\"startTimeUnixNano\":\"18446744073709551616\"}", "{\"name\":5}",
                "{\"attributes\":{}}", "{\"status\":[]}", "{\"attributes\":[null]}", "{\"kind\":true}")) {
            byte[] json = ("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + span + "]}]}]}").getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> OtlpJson.parse(json, TracesData.newBuilder()), span)
                    .isInstanceOfSatisfying(MalformedOtlpException.class,
                            e -> assertThat(e.reason()).isEqualTo(MalformedOtlpException.MALFORMED_JSON));
        }
    }

    /** Every field set, at random: messages to a small depth, repeated fields with 0-3 elements. */
    private static Message.Builder fill(Message.Builder builder, Random random, int depth) {
        for (FieldDescriptor field : builder.getDescriptorForType().getFields()) {
            if (random.nextInt(5) == 0) continue;
            if (field.getContainingOneof() != null && builder.getOneofFieldDescriptor(field.getContainingOneof()) != null) {
                continue;
            }
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth >= 6) continue;
            if (field.isRepeated()) {
                int n = random.nextInt(depth > 3 ? 2 : 4);
                for (int i = 0; i < n; i++) builder.addRepeatedField(field, value(builder, field, random, depth));
            } else {
                builder.setField(field, value(builder, field, random, depth));
            }
        }
        return builder;
    }

    private static Object value(Message.Builder parent, FieldDescriptor field, Random random, int depth) {
        switch (field.getJavaType()) {
            case MESSAGE:
                return fill(parent.newBuilderForField(field), random, depth + 1).build();
            case STRING:
                return string(random);
            case BOOLEAN:
                return random.nextBoolean();
            case INT:
                return random.nextBoolean() ? random.nextInt(100) : random.nextInt();
            case LONG:
                return switch (random.nextInt(4)) {
                    case 0 -> -1L; // the largest unsigned 64-bit value
                    case 1 -> Long.MIN_VALUE;
                    case 2 -> 1_700_000_000_000_000_000L + random.nextInt(1_000_000_000);
                    default -> random.nextLong();
                };
            case DOUBLE:
                return switch (random.nextInt(5)) {
                    case 0 -> Double.NaN;
                    case 1 -> Double.NEGATIVE_INFINITY;
                    case 2 -> -0.0;
                    default -> random.nextGaussian() * 1e6;
                };
            case FLOAT:
                return random.nextFloat();
            case BYTE_STRING:
                byte[] bytes = new byte["trace_id".equals(field.getName()) ? 16
                        : field.getName().endsWith("span_id") ? 8 : random.nextInt(12)];
                random.nextBytes(bytes);
                return ByteString.copyFrom(bytes);
            case ENUM:
                List<EnumValueDescriptor> values = field.getEnumType().getValues();
                return random.nextInt(6) == 0 ? field.getEnumType().findValueByNumberCreatingIfUnknown(1000 + random.nextInt(9))
                        : values.get(random.nextInt(values.size()));
            default:
                throw new IllegalStateException(field.toString());
        }
    }

    private static String string(Random random) {
        String[] pieces = {"checkout", "\"quoted\"", "back\\slash", "new\nline", "ünïcødé", "😀", "\u0000", "</script>", ""};
        StringBuilder b = new StringBuilder();
        int n = random.nextInt(3);
        for (int i = 0; i < n; i++) b.append(pieces[random.nextInt(pieces.length)]);
        return b.toString();
    }
}
