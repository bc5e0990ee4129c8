package org.correlationstation.job.loki;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.logs.v1.LogRecord;
import java.util.List;
import java.util.Map;
import org.correlationstation.connectors.loki.LokiEntry;
import org.correlationstation.core.model.LogEvent;
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

    @Test
    void anAttributeCannotPassForTheJobsOwnIds() {
        LokiEntry e = LokiEntries.uncorrelated(log(null, Map.of("trace_id", "N/A", "http.method", "POST")));
        assertThat(e.structuredMetadata).doesNotContainKey("trace_id")
                .containsEntry("attr_trace_id", "N/A").containsEntry("http.method", "POST");
        assertThat(e.level).isEqualTo("error");
        assertThat(e.serviceName).isEqualTo("checkout");
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
