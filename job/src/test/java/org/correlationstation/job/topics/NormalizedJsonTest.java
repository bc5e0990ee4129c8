package org.correlationstation.job.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.junit.jupiter.api.Test;

/** The normalised JSON is what sql/tables.sql declares: these exact field names, every field present. */
class NormalizedJsonTest {
    @Test
    void aSpanHasHexIdsNanosAndMillis() {
        SpanEvent s = new SpanEvent();
        s.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        s.spanId = "00f067aa0ba902b7";
        s.name = "GET /checkout";
        s.service = "gateway";
        s.env = "prod";
        s.startTimeNanos = 1_795_341_600_012_345_678L;
        s.endTimeNanos = 1_795_341_600_540_000_001L;
        s.error = true;
        assertThat(new String(NormalizedJson.toJson(NormalizedSpan.of(s)), StandardCharsets.UTF_8)).isEqualTo(
                "{\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\","
                + "\"parent_span_id\":null,\"name\":\"GET /checkout\",\"service\":\"gateway\",\"env\":\"prod\","
                + "\"start_time_unix_nano\":1795341600012345678,\"end_time_unix_nano\":1795341600540000001,"
                + "\"start_time_ms\":1795341600012,\"end_time_ms\":1795341600540,\"error\":true,\"legacy_trace_id\":null}");
    }

    @Test
    void aLogWithoutTraceHasNoJoinAndALogIdFromItsIdentity() {
        LogEvent l = new LogEvent();
        l.service = "checkout";
        l.env = "prod";
        l.host = "checkout-1";
        l.timeNanos = 1_795_341_600_100_000_000L;
        l.severityNumber = 17;
        l.severityText = "ERROR";
        l.body = "charge failed";
        l.attributes = Map.of("user", "42");
        NormalizedLog n = NormalizedLog.withoutJoin(l);
        assertThat(n.logId).isEqualTo(String.format("%016x", l.fingerprint())).hasSize(16);
        assertThat(new String(NormalizedJson.toJson(n), StandardCharsets.UTF_8)).isEqualTo(
                "{\"log_id\":\"" + n.logId + "\",\"trace_id\":null,\"span_id\":null,\"correlation_id\":null,"
                + "\"service\":\"checkout\",\"env\":\"prod\",\"host\":\"checkout-1\","
                + "\"time_unix_nano\":1795341600100000000,\"time_ms\":1795341600100,\"severity_number\":17,"
                + "\"severity_text\":\"ERROR\",\"error\":true,\"body\":\"charge failed\",\"attributes\":{\"user\":\"42\"},"
                + "\"legacy_trace_id\":null,\"joined_span_id\":null,\"joined_span_name\":null,\"inferred\":false}");
        assertThat(NormalizedJson.fromJson(NormalizedJson.toJson(n), NormalizedLog.class).body).isEqualTo("charge failed");
    }
}
