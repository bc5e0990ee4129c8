package org.correlationstation.ingest.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.Severity;
import org.correlationstation.core.otlp.Ids;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.junit.jupiter.api.Test;

class LegacyLogBatchTest {
    private static final OtlpDecoder DECODER = new OtlpDecoder("dev", Integer.MAX_VALUE);
    private static final long RECEIVED = 1_800_000_000_000_000_000L;

    @Test
    void convertsTheOldServicesBatchToOtlpLogs() throws Exception {
        LegacyLogBatch.Converted c = LegacyLogBatch.parse(bytes("""
                {"resource": {"service": "checkout", "host": "web-1", "env": "prod"},
                 "records": [{"timestamp": "2026-11-22T10:00:00Z", "severity": "INFO", "message": "paid",
                              "trace_id": "4BF92F3577B34DA6A3CE929D0E0E4736", "span_id": "00f067aa0ba902b7",
                              "attributes": {"user": "42", "retries": 3, "ok": true, "ratio": 0.5, "tags": ["a"]}},
                             {"timestamp": 1795000000123, "level": "warning", "message": {"k": "v"},
                              "trace_id": "order-77:abc"},
                             {"severity": "CRITICAL", "message": "no trace"}]}
                """), RECEIVED);

        assertThat(c.service()).isEqualTo("checkout");
        assertThat(c.count()).isEqualTo(3);
        List<LogEvent> logs = DECODER.logs(c.logs(), 0);
        assertThat(logs).hasSize(3);

        LogEvent paid = logs.get(0);
        assertThat(paid.service).isEqualTo("checkout");
        assertThat(paid.env).isEqualTo("prod");
        assertThat(paid.host).isEqualTo("web-1");
        assertThat(paid.timeNanos).isEqualTo(Instant.parse("2026-11-22T10:00:00Z").toEpochMilli() * 1_000_000L);
        assertThat(paid.severityText).isEqualTo("INFO");
        assertThat(paid.severityNumber).isEqualTo(Severity.INFO);
        assertThat(paid.body).isEqualTo("paid");
        assertThat(paid.traceId).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(paid.spanId).isEqualTo("00f067aa0ba902b7");
        assertThat(paid.legacyTraceId).isNull();
        assertThat(paid.attributes).containsEntry("user", "42").containsEntry("retries", "3")
                .containsEntry("ok", "true").containsEntry("ratio", "0.5").containsEntry("tags", "[\"a\"]");

        LogEvent legacy = logs.get(1);
        assertThat(legacy.timeNanos).isEqualTo(1_795_000_000_123_000_000L);
        assertThat(legacy.severityNumber).isEqualTo(Severity.WARN);
        assertThat(legacy.body).isEqualTo("{\"k\":\"v\"}");
        assertThat(legacy.legacyTraceId).isEqualTo("order-77:abc");
        assertThat(legacy.traceId).isEqualTo(Ids.traceIdForLegacy("order-77:abc"));

        LogEvent untraced = logs.get(2);
        assertThat(untraced.traceId).isNull();
        assertThat(untraced.severityNumber).isEqualTo(Severity.FATAL);
        assertThat(untraced.timeNanos).as("no timestamp: the time of receipt").isEqualTo(RECEIVED);
        assertThat(c.logs().getResourceLogs(0).getScopeLogs(0).getLogRecords(2).getTimeUnixNano()).isZero();
    }

    @Test
    void defaultsTheServiceAndAcceptsZeroTraceIds() throws Exception {
        LegacyLogBatch.Converted c = LegacyLogBatch.parse(bytes(
                "{\"records\":[{\"message\":\"m\",\"trace_id\":\"00000000000000000000000000000000\"}]}"), RECEIVED);
        assertThat(c.service()).isEqualTo("unknown_service");
        LogEvent log = DECODER.logs(c.logs(), 0).get(0);
        assertThat(log.traceId).isNull();
        assertThat(log.env).isEqualTo("dev");
    }

    @Test
    void namesTheFirstProblem() {
        Map<String, String> cases = Map.of(
                "[1,2]", "the body must be a JSON object",
                "{\"records\": 3}", "records must be an array",
                "{\"records\": [{\"trace_id\": \"has space\"}]}", "records[0].trace_id must be 1-128 characters",
                "{\"records\": [{\"trace_id\": \"\"}]}", "records[0].trace_id must be 1-128 characters",
                "{\"records\": [{}, {\"span_id\": \"abc\"}]}", "records[1].span_id must be 16 hex characters",
                "{\"records\": [{\"timestamp\": \"yesterday\"}]}", "records[0].timestamp must be an RFC 3339 time",
                "{\"records\": [{\"attributes\": [1]}]}", "records[0].attributes must be an object",
                "{\"resource\": {\"service\": 5}, \"records\": []}", "resource.service must be a string",
                "{\"records\": [", "the body is not JSON");
        cases.forEach((body, message) -> assertThatThrownBy(() -> LegacyLogBatch.parse(bytes(body), RECEIVED))
                .as(body).isInstanceOf(LegacyLogBatch.InvalidBatchException.class).hasMessageContaining(message));
        String longId = "x".repeat(129);
        assertThatThrownBy(() -> LegacyLogBatch.parse(bytes("{\"records\":[{\"trace_id\":\"" + longId + "\"}]}"), RECEIVED))
                .hasMessageContaining("trace_id");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
