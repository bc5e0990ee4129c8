package org.correlationstation.job.loki;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.logs.v1.LogRecord;
import java.util.List;
import java.util.Map;
import org.correlationstation.connectors.loki.LokiEntry;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.job.correlate.JoinedLog;
import org.junit.jupiter.api.Test;

class LokiEntriesTest {
    private static LogEvent log(String traceId, Map<String, String> attributes) {
        LogEvent l = new LogEvent();
        l.traceId = traceId;
        l.service = "checkout";
        l.env = "prod";
        l.timeNanos = 1_800_000_000_000_000_000L;
        l.severityNumber = 17;
        l.body = "payment failed";
        l.attributes.putAll(attributes);
        return l;
    }

    private static JoinedLog joined(LogEvent log, String correlationId) {
        JoinedLog j = new JoinedLog();
        j.log = log;
        j.correlationId = correlationId;
        return j;
    }

    @Test
    void anAttributeCannotPassForTheJobsOwnIds() {
        LokiEntry e = LokiEntries.uncorrelated(log(null, Map.of("trace_id", "N/A", "http.method", "POST")));
        assertThat(e.structuredMetadata).doesNotContainKey("trace_id")
                .containsEntry("attr_trace_id", "N/A").containsEntry("http.method", "POST");
        assertThat(e.level).isEqualTo("error");
        assertThat(e.serviceName).isEqualTo("checkout");
    }

    /** Issue 24: a trace id the decoder found in the log's text is marked, and no attribute can forge the mark. */
    @Test
    void aTraceIdFromTheLogsTextIsMarkedAsSuch() {
        LogEvent fromBody = log("4bf92f3577b34da6a3ce929d0e0e4736", Map.of("trace_id_source", "otlp", "user", "42"));
        fromBody.traceIdSource = LogEvent.TRACE_ID_FROM_BODY;
        LokiEntry e = LokiEntries.decided(joined(fromBody, "c1"));
        assertThat(e.structuredMetadata).containsEntry("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")
                .containsEntry("trace_id_source", "body").containsEntry("attr_trace_id_source", "otlp")
                .containsEntry("user", "42");

        LogEvent ownContext = log("4bf92f3577b34da6a3ce929d0e0e4736", Map.of("trace_id_source", "body"));
        assertThat(LokiEntries.decided(joined(ownContext, "c1")).structuredMetadata)
                .doesNotContainKey("trace_id_source").containsEntry("attr_trace_id_source", "body");
    }

    /**
     * Loki drops an entry whose timestamp and line equal one already in its stream, whatever its
     * metadata: two traces' identical lines in the same millisecond must not be such a pair.
     */
    @Test
    void identicalLinesOfTwoTracesInOneMillisecondGetDistinctTimestampsWithinIt() {
        LogEvent a = log("4bf92f3577b34da6a3ce929d0e0e4736", Map.of());
        LogEvent b = log("0af7651916cd43dd8448eb211c80319c", Map.of());
        long ta = LokiEntries.decided(joined(a, "c1")).timestampNanos;
        long tb = LokiEntries.decided(joined(b, "c2")).timestampNanos;
        assertThat(ta).isNotEqualTo(tb);
        assertThat(ta / 1_000_000).isEqualTo(a.timeNanos / 1_000_000);
        assertThat(tb / 1_000_000).isEqualTo(b.timeNanos / 1_000_000);
        // The same log again (a replay) lands on the same timestamp, so Loki still drops the copy.
        assertThat(LokiEntries.decided(joined(log(a.traceId, Map.of()), "c1")).timestampNanos)
                .isEqualTo(ta);
        // Two instances of one service (no trace id) are told apart by their host.
        LogEvent h1 = log(null, Map.of());
        h1.host = "pod-1";
        LogEvent h2 = log(null, Map.of());
        h2.host = "pod-2";
        assertThat(LokiEntries.uncorrelated(h1).timestampNanos).isNotEqualTo(LokiEntries.uncorrelated(h2).timestampNanos);
    }

    @Test
    void timestampsAreMovedOnlyWithinTheirOwnPrecision() {
        LogEvent micro = log("4bf92f3577b34da6a3ce929d0e0e4736", Map.of());
        micro.timeNanos = 1_800_000_000_000_123_000L;
        assertThat(LokiEntries.timestampNanos(micro) / 1_000).isEqualTo(micro.timeNanos / 1_000);
        LogEvent nano = log("4bf92f3577b34da6a3ce929d0e0e4736", Map.of());
        nano.timeNanos = 1_800_000_000_000_123_456L;
        assertThat(LokiEntries.timestampNanos(nano)).isEqualTo(nano.timeNanos);
    }

    @Test
    void deadLettersOfARejectedBatchAreValidLogsDataEvenWithOddIds() {
        LokiEntry odd = new LokiEntry("checkout", "prod", "info", 1L, "x", new java.util.LinkedHashMap<>(
                Map.of("trace_id", "not-hex", "span_id", "abc")));
        LogRecord record = LokiDeadLetters.logsData(List.of(odd)).getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
        assertThat(record.getTraceId().isEmpty()).isTrue();
        assertThat(record.getBody().getStringValue()).isEqualTo("x");
        assertThat(record.getSeverityText()).isEqualTo("INFO");
    }
}
