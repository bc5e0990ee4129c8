package org.correlationstation.core.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;
import org.correlationstation.core.testdata.TraceGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Undecodable messages fail with a stable reason code, never with anything but MalformedOtlpException. */
class OtlpDecoderMalformedTest {
    private static final int LIMIT = 64 * 1024;
    private static final OtlpDecoder DECODER = new OtlpDecoder("dev", LIMIT);
    private static final byte[] TRACES =
            OtlpMessages.traces(GeneratedTrace.allSpans(new TraceGenerator(7).generate(3))).toByteArray();
    private static final byte[] LOGS =
            OtlpMessages.logs(GeneratedTrace.allLogs(new TraceGenerator(7).generate(3))).toByteArray();

    @Test
    void truncatedProtobufIsMalformed() {
        assertSpansMalformed(Arrays.copyOf(TRACES, TRACES.length - 1), OtlpEncoding.OTLP_PROTO,
                MalformedOtlpException.MALFORMED_PROTO);
        assertSpansMalformed(Arrays.copyOf(TRACES, TRACES.length / 2), OtlpEncoding.OTLP_PROTO,
                MalformedOtlpException.MALFORMED_PROTO);
        assertLogsMalformed(Arrays.copyOf(LOGS, LOGS.length - 3), OtlpEncoding.OTLP_PROTO,
                MalformedOtlpException.MALFORMED_PROTO);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomBytesAreMalformed(long seed) {
        byte[] garbage = new byte[256];
        new Random(seed).nextBytes(garbage);

        assertSpansMalformed(garbage, OtlpEncoding.OTLP_PROTO, MalformedOtlpException.MALFORMED_PROTO);
        assertLogsMalformed(garbage, OtlpEncoding.OTLP_PROTO, MalformedOtlpException.MALFORMED_PROTO);
        assertSpansMalformed(garbage, OtlpEncoding.OTLP_JSON, MalformedOtlpException.MALFORMED_JSON);
    }

    @Test
    void textIsNotProtobuf() {
        assertSpansMalformed(utf8("not a protobuf"), OtlpEncoding.OTLP_PROTO, MalformedOtlpException.MALFORMED_PROTO);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{\"resourceSpans\":[", "[]", "42", "\"resourceSpans\"", "null",
            "{\"resourceSpans\":\"x\"}", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":\"soon\"}]}]}]}",
            "{\"resourceSpans\":[]} trailing"})
    void nonJsonOrWrongShapeIsMalformedJson(String json) {
        assertSpansMalformed(utf8(json), OtlpEncoding.OTLP_JSON, MalformedOtlpException.MALFORMED_JSON);
        assertLogsMalformed(utf8(asLogs(json)), OtlpEncoding.OTLP_JSON, MalformedOtlpException.MALFORMED_JSON);
    }

    @Test
    void protobufIsNotJson() {
        assertSpansMalformed(TRACES, OtlpEncoding.OTLP_JSON, MalformedOtlpException.MALFORMED_JSON);
    }

    @Test
    void aMissingValueIsMalformed() {
        assertSpansMalformed(null, OtlpEncoding.OTLP_PROTO, MalformedOtlpException.MALFORMED_PROTO);
        assertLogsMalformed(null, OtlpEncoding.OTLP_JSON, MalformedOtlpException.MALFORMED_JSON);
    }

    @Test
    void emptyMessagesAreValidAndEmpty() throws Exception {
        assertThat(DECODER.decodeSpans(new byte[0], OtlpEncoding.OTLP_PROTO)).isEmpty();
        assertThat(DECODER.decodeLogs(utf8("{}"), OtlpEncoding.OTLP_JSON, 0L)).isEmpty();
    }

    @Test
    void messagesOverTheLimitAreOversized() throws Exception {
        byte[] atLimit = utf8("{\"resourceSpans\":[]}" + " ".repeat(LIMIT - 20));
        assertThat(atLimit).hasSize(LIMIT);
        assertThat(DECODER.decodeSpans(atLimit, OtlpEncoding.OTLP_JSON)).isEmpty();

        byte[] over = Arrays.copyOf(atLimit, LIMIT + 1);
        over[LIMIT] = ' ';
        assertSpansMalformed(over, OtlpEncoding.OTLP_JSON, MalformedOtlpException.OVERSIZED);
        assertLogsMalformed(new byte[LIMIT + 1], OtlpEncoding.OTLP_PROTO, MalformedOtlpException.OVERSIZED);
    }

    @Test
    void describeGivesReasonThenDetail() {
        MalformedOtlpException e = new MalformedOtlpException(MalformedOtlpException.OVERSIZED, "too big");
        assertThat(e.describe()).isEqualTo("oversized: too big");
    }

    private static void assertSpansMalformed(byte[] message, OtlpEncoding encoding, String reason) {
        assertThatThrownBy(() -> DECODER.decodeSpans(message, encoding))
                .isInstanceOfSatisfying(MalformedOtlpException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    private static void assertLogsMalformed(byte[] message, OtlpEncoding encoding, String reason) {
        assertThatThrownBy(() -> DECODER.decodeLogs(message, encoding, 0L))
                .isInstanceOfSatisfying(MalformedOtlpException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    /** The same defect in a LogsData. */
    private static String asLogs(String tracesJson) {
        return tracesJson.replace("Spans", "Logs").replace("\"spans\"", "\"logRecords\"")
                .replace("startTimeUnixNano", "timeUnixNano");
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
