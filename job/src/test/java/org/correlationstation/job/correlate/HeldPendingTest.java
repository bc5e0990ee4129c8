package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.correlationstation.core.model.LogEvent;
import org.junit.jupiter.api.Test;

class HeldPendingTest {
    /** What the store was given, by trace: bodies of the logs with span id, then "|", then the trace-only ones. */
    private final Map<String, List<String>> saved = new LinkedHashMap<>();

    private HeldPending held(int max) {
        return new HeldPending(max, (trace, withSpanId, traceOnly) -> {
            List<String> bodies = saved.computeIfAbsent(trace, t -> new ArrayList<>());
            withSpanId.forEach(p -> bodies.add(p.log.body));
            bodies.add("|");
            traceOnly.forEach(p -> bodies.add(p.log.body));
        });
    }

    private static PendingLog pending(String body) {
        LogEvent log = new LogEvent();
        log.body = body;
        return new PendingLog(log, 0);
    }

    @Test
    void beyondTheBoundTheTraceHeldLongestGoesToStateButNeverTheOneBeingAdded() throws Exception {
        HeldPending held = held(3);
        held.add("a", List.of(pending("a1")), List.of(pending("a2")));
        held.add("b", List.of(pending("b1")), List.of());
        assertThat(saved).isEmpty();
        held.add("a", List.of(pending("a3")), List.of()); // 4 > 3: a is eldest but is being added to
        assertThat(saved).as("b went instead").containsOnlyKeys("b");
        assertThat(held.get("b")).isNull();
        assertThat(held.logCount()).isEqualTo(3);
        assertThat(held.get("a").withSpanId).extracting(p -> p.log.body).containsExactly("a1", "a3");
    }

    @Test
    void logsDecidedInPlaceAreRecountedAndATraceWithNoneLeftGoes() throws Exception {
        HeldPending held = held(10);
        held.add("a", List.of(pending("a1"), pending("a2")), List.of());
        HeldPending.Logs logs = held.get("a");
        int before = logs.size();
        logs.withSpanId.remove(0);
        held.changed("a", logs, before);
        assertThat(held.logCount()).isEqualTo(1);
        before = logs.size();
        logs.withSpanId.clear();
        held.changed("a", logs, before);
        assertThat(held.get("a")).isNull();
        assertThat(held.logCount()).isZero();
    }

    @Test
    void saveAllWritesEveryHeldLogOnceAndForgetDropsATracesLogs() throws Exception {
        HeldPending held = held(10);
        held.add("a", List.of(pending("a1")), List.of(pending("a2")));
        held.add("b", List.of(), List.of(pending("b1")));
        held.add("c", List.of(pending("c1")), List.of());
        held.forget("c");
        held.saveAll();
        assertThat(saved).containsExactly(Map.entry("a", List.of("a1", "|", "a2")), Map.entry("b", List.of("|", "b1")));
        assertThat(held.logCount()).isZero();
        saved.clear();
        held.saveAll();
        assertThat(saved).as("nothing held any more").isEmpty();
    }
}
