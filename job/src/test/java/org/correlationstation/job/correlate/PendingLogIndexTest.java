package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.job.correlate.Events.T0;
import static org.correlationstation.job.correlate.Events.log;
import static org.correlationstation.job.correlate.Events.sid;
import static org.correlationstation.job.correlate.Events.span;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pending-log index: a span arrival decides only the logs waiting for that span, and a timer decides
 * only the logs whose wait is over, leaving the others pending until their own due time.
 */
class PendingLogIndexTest {
    private static final int OTHERS = 500;

    private CorrelatorHarness h;

    @BeforeEach
    void open() throws Exception {
        h = new CorrelatorHarness(CorrelationSettings.defaults());
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    @Test
    void aSpanArrivalDecidesOnlyTheLogsWaitingForIt() throws Exception {
        for (int i = 0; i < OTHERS; i++) h.log(log(sid(0x1000 + i), "svc", T0 + i, 9, "other " + i));
        h.log(log(null, "svc", T0 + 5, 9, "trace-only"));
        h.log(log(sid(0x42), "svc", T0 + 10, 9, "mine 1"));
        h.log(log(sid(0x42), "svc", T0 + 20, 9, "mine 2"));
        assertThat(h.decided()).isEmpty();

        h.span(span(sid(0x42), null, "handler", "svc", T0, T0 + 100));
        assertThat(h.decided()).extracting(j -> j.log.body + "->" + j.spanId + "/" + j.spanName)
                .containsExactly("mine 1->" + sid(0x42) + "/handler", "mine 2->" + sid(0x42) + "/handler");

        // The others were left pending: their max wait decides them all, unjoined, and the trace-only
        // log by inference (it lies inside the span that arrived).
        h.time(2000);
        assertThat(h.decided()).hasSize(2 + OTHERS + 1);
        assertThat(h.decided().subList(2, 2 + OTHERS + 1)).allSatisfy(j -> {
            if (j.log.body.equals("trace-only")) {
                assertThat(j.spanId).isEqualTo(sid(0x42));
                assertThat(j.inferred).isTrue();
            } else {
                assertThat(j.spanId).isEqualTo(sid(0x1000 + Integer.parseInt(j.log.body.substring(6))));
                assertThat(j.spanName).isNull();
            }
        });
    }

    @Test
    void aLogDecidedByItsSpanIsNeverDecidedAgainByLaterSpansTimersOrTheClose() throws Exception {
        h.log(log(sid(0x1), "svc", T0 + 10, 9, "first"));
        h.log(log(sid(0x2), "svc", T0 + 20, 9, "second"));
        h.log(log(sid(0x3), "svc", T0 + 30, 9, "third"));
        h.log(log("not-hex-span", "svc", T0 + 40, 9, "legacy id"));

        h.span(span(sid(0x1), null, "one", "svc", T0, T0 + 100));
        h.span(span("not-hex-span", null, "legacy", "svc", T0, T0 + 100));
        h.span(span(sid(0x2), null, "two", "svc", T0, T0 + 100));
        assertThat(h.decided()).extracting(j -> j.log.body + "/" + j.spanName)
                .containsExactly("first/one", "legacy id/legacy", "second/two");

        h.time(2000); // the third log's wait is over: decided without its span
        h.span(span(sid(0x3), null, "three", "svc", T0, T0 + 100));
        h.watermark(T0 + 120_000); // closes the trace, deciding whatever still waits
        assertThat(h.decided()).extracting(j -> j.log.body + "/" + j.spanName)
                .containsExactly("first/one", "legacy id/legacy", "second/two", "third/null");
        assertThat(h.last().status).isEqualTo("closed");
        assertThat(h.last().links).extracting(l -> l.logCount).containsOnly(1L);
    }

    @Test
    void aTimerDecidesOnlyWhatIsDueAndTheRestAtItsOwnTime() throws Exception {
        h.log(log(sid(0xa), "svc", T0, 9, "early"));
        h.time(1500);
        h.log(log(sid(0xb), "svc", T0 + 1, 9, "later"));
        h.log(log(null, "svc", T0 + 2, 9, "later, trace-only"));
        assertThat(h.records()).as("the emission timer fired, nothing was due").isNotEmpty();
        assertThat(h.decided()).isEmpty();

        h.time(2000);
        assertThat(h.decided()).extracting(j -> j.log.body).containsExactly("early");
        h.time(3499);
        assertThat(h.decided()).hasSize(1);
        h.time(3500);
        assertThat(h.decided()).extracting(j -> j.log.body)
                .containsExactlyInAnyOrder("early", "later", "later, trace-only");
    }

    @Test
    void theWatermarkDecidesPartOfABucket() throws Exception {
        h.log(log(null, "svc", T0, 9, "old"));
        h.log(log(null, "svc", T0 + 5_000, 9, "new"));
        h.watermark(T0 + 1_000);
        assertThat(h.decided()).extracting(j -> j.log.body).containsExactly("old");
        h.watermark(T0 + 5_999);
        assertThat(h.decided()).hasSize(1);
        h.watermark(T0 + 6_000);
        assertThat(h.decided()).extracting(j -> j.log.body).containsExactly("old", "new");
    }
}
