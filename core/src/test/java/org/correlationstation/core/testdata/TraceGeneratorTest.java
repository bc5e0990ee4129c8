package org.correlationstation.core.testdata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.junit.jupiter.api.Test;

/** The promises other tests build on: determinism, nesting, and logs that can be joined. */
class TraceGeneratorTest {
    private static final List<GeneratedTrace> TRACES = new TraceGenerator(1).env("prod").generate(50);

    @Test
    void theSameSeedGivesTheSameData() {
        assertThat(new TraceGenerator(1).env("prod").generate(50)).isEqualTo(TRACES);
        assertThat(new TraceGenerator(2).env("prod").generate(50)).isNotEqualTo(TRACES);
    }

    @Test
    void spansFormATreeNestedInTime() {
        for (GeneratedTrace trace : TRACES) {
            Map<String, SpanEvent> byId = trace.spans().stream().collect(Collectors.toMap(s -> s.spanId, Function.identity()));
            assertThat(trace.root().parentSpanId).isNull();
            assertThat(trace.root().service).isEqualTo(TraceGenerator.ROOT_SERVICE);
            assertThat(trace.spans()).allSatisfy(s -> {
                assertThat(s.traceId).isEqualTo(trace.traceId()).hasSize(32);
                assertThat(s.env).isEqualTo("prod");
                assertThat(s.startTimeNanos).isLessThanOrEqualTo(s.endTimeNanos);
                if (s != trace.root()) {
                    SpanEvent parent = byId.get(s.parentSpanId);
                    assertThat(parent).isNotNull();
                    assertThat(s.startTimeNanos).isGreaterThanOrEqualTo(parent.startTimeNanos);
                    assertThat(s.endTimeNanos).isLessThanOrEqualTo(parent.endTimeNanos);
                }
            });
        }
        assertThat(GeneratedTrace.allSpans(TRACES)).anyMatch(s -> s.error);
    }

    @Test
    void everyLogHasASpanToJoin() {
        for (GeneratedTrace trace : TRACES) {
            Map<String, SpanEvent> byId = trace.spans().stream().collect(Collectors.toMap(s -> s.spanId, Function.identity()));
            for (LogEvent log : trace.logs()) {
                assertThat(log.traceId).isEqualTo(trace.traceId());
                if (log.spanId != null) {
                    assertThat(inside(log, byId.get(log.spanId))).isTrue();
                } else {
                    assertThat(trace.spans()).anyMatch(s -> s.service.equals(log.service) && inside(log, s));
                }
            }
            assertThat(trace.untracedLogs()).allSatisfy(l -> assertThat(l.traceId).isNull());
        }
        List<LogEvent> logs = GeneratedTrace.allLogs(TRACES);
        assertThat(logs).anyMatch(l -> l.spanId == null).anyMatch(LogEvent::isError);
        assertThat(GeneratedTrace.allUntracedLogs(TRACES)).isNotEmpty();
    }

    @Test
    void tracesAreSpacedFromTheBaseTime() {
        List<GeneratedTrace> traces = new TraceGenerator(3).baseTimeMillis(1_000_000L).traceSpacingMillis(10_000L).generate(3);
        for (int i = 0; i < traces.size(); i++) {
            long startMillis = traces.get(i).root().startMillis();
            assertThat(startMillis).isBetween(1_000_000L + i * 10_000L, 1_000_000L + i * 10_000L + 50L);
        }
    }

    private static boolean inside(LogEvent log, SpanEvent span) {
        return span != null && log.timeNanos >= span.startTimeNanos && log.timeNanos <= span.endTimeNanos;
    }
}
