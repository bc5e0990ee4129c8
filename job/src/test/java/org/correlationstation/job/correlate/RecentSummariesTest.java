package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
        return new RecentSummaries(max, 1_000, saved::put);
    }

    @Test
    void holdsTheObjectUntilTheTraceIsForgottenAndThenDropsItUnsaved() throws Exception {
        RecentSummaries recent = recent(10);
        TraceSummary s = summary("t");
        recent.changed("t", s, 0);
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
        recent.changed("b", summary("b"), 0);
        recent.get("a"); // used: b is now the eldest
        recent.loaded("c", summary("c"));

        assertThat(recent.get("b")).isNull();
        assertThat(saved).containsOnlyKeys("b");
        assertThat(recent.get("a")).isNotNull();
        assertThat(recent.get("c")).isNotNull();
        assertThat(recent.traceCount()).isEqualTo(2);

        recent.changed("d", summary("d"), 0); // a leaves, as read: nothing to save
        assertThat(saved).containsOnlyKeys("b");
    }

    @Test
    void saveNowWritesAnUnsavedSummaryOnceAndKeepsHoldingIt() throws Exception {
        List<String> writes = new ArrayList<>();
        RecentSummaries recent = new RecentSummaries(10, 1_000, (trace, summary) -> writes.add(trace));
        TraceSummary closing = summary("closing");
        recent.changed("open", summary("open"), 0);
        recent.changed("closing", closing, 0);

        recent.saveNow("closing");
        assertThat(writes).containsExactly("closing");
        assertThat(recent.get("closing")).isSameAs(closing);
        assertThat(recent.unsavedCount()).isEqualTo(1);

        recent.saveNow("closing"); // saved already: nothing to write
        recent.saveNow("unknown");
        recent.saveAll();
        assertThat(writes).containsExactly("closing", "open");
    }

    @Test
    void saveAllWritesEachChangedSummaryOnceAndKeepsHoldingIt() throws Exception {
        RecentSummaries recent = recent(10);
        TraceSummary a = summary("a");
        recent.changed("a", a, 0);
        recent.changed("a", a, 0);
        recent.loaded("b", summary("b"));
        recent.changed("c", summary("c"), 0);

        recent.saveAll();
        assertThat(saved).containsOnlyKeys("a", "c");
        assertThat(saved.get("a")).isSameAs(a);
        assertThat(recent.unsavedCount()).isZero();
        assertThat(recent.get("a")).isSameAs(a);

        saved.clear();
        recent.saveAll();
        assertThat(saved).as("nothing changed since").isEmpty();
        recent.changed("a", a, 0);
        recent.saveAll();
        assertThat(saved).containsOnlyKeys("a");
    }

    @Test
    void aSummaryQuietForTheIdleTimeIsWrittenBackAtTheNextChangeOnceAndStaysHeld() throws Exception {
        RecentSummaries recent = recent(10);
        TraceSummary a = summary("a");
        recent.changed("a", a, 0);
        recent.changed("b", summary("b"), 500);
        recent.changed("a", a, 900); // a changed again: quiet from 900 on
        recent.changed("c", summary("c"), 1_600);
        assertThat(saved).as("b has been quiet for 1,100 ms, a only for 700").containsOnlyKeys("b");

        recent.changed("c", recent.get("c"), 1_900);
        assertThat(saved).as("a has now been quiet for 1,000 ms").containsOnlyKeys("b", "a");
        assertThat(recent.get("a")).isSameAs(a);
        assertThat(recent.unsavedCount()).as("c only").isEqualTo(1);

        saved.clear();
        recent.saveAll();
        assertThat(saved).as("what a checkpoint writes: only what changed within the idle time").containsOnlyKeys("c");
    }
}
