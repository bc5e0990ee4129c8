package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecentSummariesTest {
    /** What the store was given, by trace, in order. */
    private final Map<String, TraceSummary> saved = new LinkedHashMap<>();

    private static TraceSummary summary(String traceId) {
        TraceSummary s = new TraceSummary();
        s.traceId = traceId;
        return s;
    }

    private RecentSummaries recent(int max) {
        return new RecentSummaries(max, saved::put);
    }

    @Test
    void holdsTheObjectUntilTheTraceIsForgottenAndThenDropsItUnsaved() throws Exception {
        RecentSummaries recent = recent(10);
        TraceSummary s = summary("t");
        recent.changed("t", s);
        assertThat(recent.get("t")).isSameAs(s);

        recent.forget("t");
        assertThat(recent.get("t")).isNull();
        assertThat(recent.traceCount()).isZero();
        recent.saveAll();
        assertThat(saved).isEmpty();
    }

    @Test
    void theLeastRecentlyUsedTraceGoesFirstAndIsSavedOnlyIfChanged() throws Exception {
        RecentSummaries recent = recent(2);
        recent.loaded("a", summary("a"));
        recent.changed("b", summary("b"));
        recent.get("a"); // used: b is now the eldest
        recent.loaded("c", summary("c"));

        assertThat(recent.get("b")).isNull();
        assertThat(saved).containsOnlyKeys("b");
        assertThat(recent.get("a")).isNotNull();
        assertThat(recent.get("c")).isNotNull();
        assertThat(recent.traceCount()).isEqualTo(2);

        recent.changed("d", summary("d")); // a leaves, as read: nothing to save
        assertThat(saved).containsOnlyKeys("b");
    }

    @Test
    void saveAllWritesEachChangedSummaryOnceAndKeepsHoldingIt() throws Exception {
        RecentSummaries recent = recent(10);
        TraceSummary a = summary("a");
        recent.changed("a", a);
        recent.changed("a", a);
        recent.loaded("b", summary("b"));
        recent.changed("c", summary("c"));

        recent.saveAll();
        assertThat(saved).containsOnlyKeys("a", "c");
        assertThat(saved.get("a")).isSameAs(a);
        assertThat(recent.unsavedCount()).isZero();
        assertThat(recent.get("a")).isSameAs(a);

        saved.clear();
        recent.saveAll();
        assertThat(saved).as("nothing changed since").isEmpty();
        recent.changed("a", a);
        recent.saveAll();
        assertThat(saved).containsOnlyKeys("a");
    }
}
