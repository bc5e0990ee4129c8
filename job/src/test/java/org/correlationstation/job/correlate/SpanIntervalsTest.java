package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpanIntervalsTest {
    private static final long SLACK = 100;

    @Test
    void choosesTheInnermostSpanOfTheLogsService() {
        Map<String, SpanInfo> spans = new HashMap<>();
        spans.put("00000000000000a1", span("checkout", 0, 1_000));
        spans.put("00000000000000a2", span("checkout", 200, 600));
        spans.put("00000000000000a3", span("payment", 300, 500));
        SpanIntervals intervals = new SpanIntervals(spans);
        assertThat(intervals.innermost("checkout", 400, SLACK)).isEqualTo("00000000000000a2");
        assertThat(intervals.innermost("checkout", 800, SLACK)).isEqualTo("00000000000000a1");
        assertThat(intervals.innermost("checkout", 1_100, SLACK)).as("within the slack").isEqualTo("00000000000000a1");
        assertThat(intervals.innermost("checkout", 1_101, SLACK)).isNull();
        assertThat(intervals.innermost("payment", 150, SLACK)).isNull();
        assertThat(intervals.innermost("unknown", 400, SLACK)).isNull();
    }

    @Test
    void equalStartsGoToTheSmallestSpanId() {
        Map<String, SpanInfo> spans = new HashMap<>();
        spans.put("00000000000000b2", span("svc", 100, 900));
        spans.put("00000000000000b1", span("svc", 100, 200));
        spans.put("00000000000000b0", span("svc", 100, 150));
        SpanIntervals intervals = new SpanIntervals(spans);
        assertThat(intervals.innermost("svc", 260, SLACK)).as("b0 ended too early").isEqualTo("00000000000000b1");
        assertThat(intervals.innermost("svc", 120, SLACK)).isEqualTo("00000000000000b0");
        assertThat(intervals.innermost("svc", 500, SLACK)).isEqualTo("00000000000000b2");
    }

    /** The index agrees with the rule's definition, a scan over every span, on random traces. */
    @Test
    void agreesWithAFullScan() {
        SplittableRandom random = new SplittableRandom(7);
        int checked = 0;
        int chosen = 0;
        for (int trace = 0; trace < 300; trace++) {
            Map<String, SpanInfo> spans = new HashMap<>();
            int n = 1 + random.nextInt(60);
            for (int i = 0; i < n; i++) {
                long start = random.nextInt(20) * 50L; // many equal starts
                spans.put(String.format("%016x", random.nextLong() & 0xFFFFL),
                        span("svc-" + random.nextInt(3), start, start + random.nextInt(2_000)));
            }
            SpanIntervals intervals = new SpanIntervals(spans);
            for (int q = 0; q < 50; q++) {
                String service = "svc-" + random.nextInt(4);
                long t = random.nextInt(3_200) - 200;
                String expected = fullScan(spans, service, t);
                assertThat(intervals.innermost(service, t, SLACK)).as("trace %d, %s at %d", trace, service, t)
                        .isEqualTo(expected);
                checked++;
                if (expected != null) chosen++;
            }
        }
        assertThat(checked).isEqualTo(15_000);
        assertThat(chosen).as("the comparison covers both outcomes").isBetween(3_000, 12_000);
    }

    private static String fullScan(Map<String, SpanInfo> spans, String service, long t) {
        String best = null;
        long bestStart = Long.MIN_VALUE;
        for (Map.Entry<String, SpanInfo> e : spans.entrySet()) {
            SpanInfo s = e.getValue();
            if (!s.service.equals(service) || t < s.startNanos - SLACK || t > s.endNanos + SLACK) continue;
            if (best == null || s.startNanos > bestStart || (s.startNanos == bestStart && e.getKey().compareTo(best) < 0)) {
                best = e.getKey();
                bestStart = s.startNanos;
            }
        }
        return best;
    }

    private static SpanInfo span(String service, long start, long end) {
        SpanInfo s = new SpanInfo();
        s.service = service;
        s.name = "op";
        s.startNanos = start;
        s.endNanos = end;
        return s;
    }
}
