package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentSummariesTest {

    private static TraceSummary summary(String traceId) {
        TraceSummary s = new TraceSummary();
        s.traceId = traceId;
        return s;
    }

    @Test
    void holdsTheObjectWrittenUntilTheTraceIsForgotten() {
        RecentSummaries recent = new RecentSummaries(10);
        TraceSummary s = summary("t");
        recent.written("t", s);
        assertThat(recent.get("t")).isSameAs(s);

        recent.forget("t");
        assertThat(recent.get("t")).isNull();
        assertThat(recent.traceCount()).isZero();
    }

    @Test
    void theLeastRecentlyUsedTraceGoesFirst() {
        RecentSummaries recent = new RecentSummaries(2);
        recent.written("a", summary("a"));
        recent.written("b", summary("b"));
        recent.get("a"); // used: b is now the eldest
        recent.written("c", summary("c"));

        assertThat(recent.get("b")).isNull();
        assertThat(recent.get("a")).isNotNull();
        assertThat(recent.get("c")).isNotNull();
        assertThat(recent.traceCount()).isEqualTo(2);
    }
}
