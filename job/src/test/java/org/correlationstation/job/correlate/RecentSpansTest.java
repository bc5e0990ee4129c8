package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecentSpansTest {

    private static SpanInfo span(String id) {
        SpanInfo s = new SpanInfo();
        s.spanId = id;
        s.name = "op " + id;
        s.service = "svc";
        return s;
    }

    private static Map<String, SpanInfo> spans(String... ids) {
        Map<String, SpanInfo> m = new HashMap<>();
        for (String id : ids) m.put(id, span(id));
        return m;
    }

    @Test
    void spansAddedToATraceWithOthersOnlyInStateAreNotHeld() {
        RecentSpans recent = new RecentSpans(100, 10);
        recent.added("t1", List.of(span("a")), false);
        assertThat(recent.get("t1")).as("its other spans are only in state").isNull();
        recent.added("t2", List.of(span("a"), span("b")), true);
        assertThat(recent.get("t2")).containsOnlyKeys("a", "b");
        assertThat(recent.spanCount()).isEqualTo(2);
    }

    @Test
    void addedSpansJoinAHeldTraceAndCountOnceWhenTheCallerAddedThemAlready() {
        RecentSpans recent = new RecentSpans(100, 10);
        recent.loaded("t", spans("a"));
        Map<String, SpanInfo> held = recent.get("t");
        SpanInfo b = span("b");
        held.put("b", b); // the correlator adds to the map it read, then appends to state
        recent.added("t", List.of(b, span("c")), false);
        assertThat(recent.get("t")).containsOnlyKeys("a", "b", "c");
        assertThat(recent.get("t").get("b")).isSameAs(b);
        assertThat(recent.spanCount()).isEqualTo(3);
    }

    @Test
    void theLeastRecentlyUsedGoFirstWhenSpansOrTracesExceedTheBounds() {
        RecentSpans recent = new RecentSpans(5, 3);
        recent.loaded("t1", spans("a", "b"));
        recent.loaded("t2", spans("c", "d"));
        assertThat(recent.get("t1")).isNotNull(); // t1 is now the most recently used
        recent.loaded("t3", spans("e", "f"));
        assertThat(recent.get("t2")).as("6 spans > 5: the least recently used goes").isNull();
        assertThat(recent.get("t1")).isNotNull();
        assertThat(recent.spanCount()).isEqualTo(4);

        recent.loaded("t4", spans());
        recent.loaded("t5", spans());
        assertThat(recent.traceCount()).isEqualTo(3);
        assertThat(recent.get("t3")).as("4 traces > 3: t3 was used before t1").isNull();
        assertThat(recent.get("t1")).isNotNull();
        assertThat(recent.spanCount()).isEqualTo(2);

        recent.loaded("big", spans("1", "2", "3", "4", "5", "6"));
        assertThat(recent.get("big")).as("a trace over the bound alone is not held").isNull();
        assertThat(recent.spanCount()).isZero();
    }

    @Test
    void aForgottenOrReloadedTraceCountsItsSpansOnce() {
        RecentSpans recent = new RecentSpans(100, 10);
        recent.loaded("t", spans("a", "b"));
        recent.loaded("t", spans("a", "b", "c"));
        assertThat(recent.spanCount()).isEqualTo(3);
        recent.forget("t");
        assertThat(recent.get("t")).isNull();
        assertThat(recent.spanCount()).isZero();
        assertThat(recent.traceCount()).isZero();
        recent.forget("never held");
        assertThat(recent.spanCount()).isZero();
    }
}
