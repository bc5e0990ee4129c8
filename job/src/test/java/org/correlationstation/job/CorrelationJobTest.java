package org.correlationstation.job;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The job's entry point refuses a configuration that cannot work before it builds anything. */
class CorrelationJobTest {

    /** Issue 24: a LOG_TRACE_ID_PATTERNS pattern without a trace_id group would never find an id. */
    @Test
    void aTraceIdPatternWithoutItsGroupStopsTheStartNamingTheOption() {
        assertThatThrownBy(() -> CorrelationJob.main(new String[] {
                "--log-trace-id-patterns", "[\"trace_id=(?<trace_id>[0-9a-f]{32})\", \"request_id=([0-9a-f]{32})\"]"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LOG_TRACE_ID_PATTERNS (--log-trace-id-patterns)")
                .hasMessageContaining("pattern 2 (request_id=([0-9a-f]{32})) has no named group trace_id");
        assertThatThrownBy(() -> CorrelationJob.main(new String[] {"--log-trace-id-patterns", "[\"trace_id=(?<trace_id>[0-9a-f]{32}\"]"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LOG_TRACE_ID_PATTERNS")
                .hasMessageContaining("not a valid regular expression");
    }
}
