package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.job.correlate.Events.T0;
import static org.correlationstation.job.correlate.Events.TRACE;
import static org.correlationstation.job.correlate.Events.errorSpan;
import static org.correlationstation.job.correlate.Events.log;
import static org.correlationstation.job.correlate.Events.sid;
import static org.correlationstation.job.correlate.Events.span;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.CorrelationRecord.Edge;
import org.correlationstation.core.record.CorrelationRecord.Link;
import org.correlationstation.core.record.CorrelationRecord.Root;
import org.correlationstation.core.record.RecordCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TraceCorrelatorTest {
    private static final String ROOT = sid(1);
    private static final String CHECKOUT = sid(2);
    private static final String PAY = sid(3);

    private CorrelatorHarness h;

    @BeforeEach
    void open() throws Exception {
        h = new CorrelatorHarness(CorrelationSettings.defaults());
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    /** gateway → checkout (error) → payments, with explicit, inferred and error logs. */
    private void feedCheckoutTrace() throws Exception {
        h.span(span(ROOT, null, "GET /checkout", "gateway", T0, T0 + 840));
        h.span(errorSpan(CHECKOUT, ROOT, "checkout", "checkout", T0 + 100, T0 + 700));
        h.span(span(PAY, CHECKOUT, "charge", "payments", T0 + 200, T0 + 500));
        h.log(log(CHECKOUT, "checkout", T0 + 150, 9, "cart loaded"));
        h.log(log(CHECKOUT, "checkout", T0 + 650, 17, "payment failed"));
        h.log(log(null, "payments", T0 + 300, 13, "retrying card"));   // inferred → PAY
        h.log(log(null, "checkout", T0 + 120, 9, "validating"));       // inferred → CHECKOUT
    }

    @Test
    void everyRecordFieldFollowsTheSpec() throws Exception {
        feedCheckoutTrace();
        assertThat(h.records()).as("nothing before the emit interval").isEmpty();
        h.time(1000);
        CorrelationRecord first = h.last();
        assertThat(first.version).isEqualTo(1);
        assertThat(first.status).isEqualTo("open");
        // the inferred logs are still waiting for their decision: only the explicit ones are linked
        assertThat(first.links).containsExactly(new Link(CHECKOUT, "checkout", "checkout", 2, 0));

        h.time(2000); // JOIN_MAX_WAIT_MS passed: inferred logs decided, record changed
        CorrelationRecord r = h.last();
        assertThat(r.version).isEqualTo(2);
        assertThat(r.schemaVersion).isEqualTo(1);
        assertThat(r.correlationId).isEqualTo(CorrelationIds.forTrace(TRACE));
        assertThat(r.traceId).isEqualTo(TRACE);
        assertThat(r.legacyTraceId).isNull();
        assertThat(r.firstSeen).isEqualTo(RecordCodec.formatTime(T0 + 120));
        assertThat(r.lastSeen).isEqualTo(RecordCodec.formatTime(T0 + 840));
        assertThat(r.durationMs).isEqualTo(840);
        assertThat(r.root).isEqualTo(new Root("gateway", "GET /checkout", ROOT));
        assertThat(r.service).isEqualTo("gateway");
        assertThat(r.services).containsExactly("checkout", "gateway", "payments");
        assertThat(r.env).isEqualTo("prod");
        assertThat(r.spanCount).isEqualTo(3);
        assertThat(r.logCount).isEqualTo(4);
        assertThat(r.errorSpanCount).isEqualTo(1);
        assertThat(r.errorLogCount).isEqualTo(1);
        assertThat(r.maxSeverity).isEqualTo("ERROR");
        assertThat(r.hasError).isTrue();
        assertThat(r.edges).containsExactly(new Edge("checkout", "payments", 1, 0), new Edge("gateway", "checkout", 1, 1));
        assertThat(r.links).containsExactly(
                new Link(CHECKOUT, "checkout", "checkout", 3, 1),
                new Link(PAY, "charge", "payments", 1, 1));
        assertThat(r.lateEvents).isZero();
        assertThat(r.truncated).isFalse();
        assertThat(r.updatedAt).isEqualTo(RecordCodec.formatTime(2000));

        List<JoinedLog> decided = h.decided();
        assertThat(decided).hasSize(4);
        assertThat(decided).filteredOn(j -> j.log.body.equals("retrying card"))
                .singleElement().satisfies(j -> {
                    assertThat(j.spanId).isEqualTo(PAY);
                    assertThat(j.spanName).isEqualTo("charge");
                    assertThat(j.inferred).isTrue();
                    assertThat(j.correlationId).isEqualTo(r.correlationId);
                });
    }

    @Test
    void recordWithoutSpansUsesLogTimesAndSmallestService() throws Exception {
        h.log(log(null, "worker", T0, 9, "a"));
        h.log(log(null, "api", T0 + 40, 5, "b"));
        h.time(2000);
        CorrelationRecord r = h.last();
        assertThat(r.root).isNull();
        assertThat(r.service).isEqualTo("api");
        assertThat(r.durationMs).isEqualTo(40);
        assertThat(r.maxSeverity).isEqualTo("INFO");
        assertThat(r.hasError).isFalse();
        assertThat(r.links).isEmpty();
        assertThat(h.decided()).allSatisfy(j -> assertThat(j.spanId).isNull());
    }

    @Test
    void inferredJoinPicksTheInnermostSpanAndBreaksTiesBySpanId() throws Exception {
        h.span(span(sid(0x10), null, "outer", "svc", T0, T0 + 1000));
        h.span(span(sid(0x22), sid(0x10), "inner-b", "svc", T0 + 100, T0 + 300));
        h.span(span(sid(0x21), sid(0x10), "inner-a", "svc", T0 + 100, T0 + 300));
        h.span(span(sid(0x30), sid(0x10), "other-service", "db", T0 + 150, T0 + 250));
        h.log(log(null, "svc", T0 + 200, 9, "inside both inner spans"));
        h.log(log(null, "svc", T0 + 1900, 9, "within slack after outer"));
        h.log(log(null, "svc", T0 + 2500, 9, "outside every span"));
        h.watermark(T0 + 3500);
        List<JoinedLog> decided = h.decided();
        assertThat(decided).extracting(j -> j.log.body + "->" + j.spanId).containsExactlyInAnyOrder(
                "inside both inner spans->" + sid(0x21),
                "within slack after outer->" + sid(0x10),
                "outside every span->null");
    }

    @Test
    void nestedSpansStartingInTheSameMillisecondAreOrderedByNanoseconds() throws Exception {
        SpanEvent handler = span(sid(0x11), null, "handler", "svc", T0, T0 + 10);
        handler.startTimeNanos += 100_000; // 0.1 ms into the millisecond
        SpanEvent query = span(sid(0x99), sid(0x11), "db query", "svc", T0, T0 + 5);
        query.startTimeNanos += 400_000; // 0.4 ms: the inner span, though a millisecond tie would pick 0x11
        h.span(handler);
        h.span(query);
        h.log(log(null, "svc", T0 + 2, 9, "inside the query"));
        h.watermark(T0 + 5000);
        assertThat(h.decided()).singleElement().extracting(j -> j.spanId).isEqualTo(sid(0x99));
    }

    @Test
    void aLogWaitsForItsSpanAndJoinsWhenTheSpanArrivesLater() throws Exception {
        h.log(log(PAY, "payments", T0 + 300, 9, "early log"));
        assertThat(h.decided()).isEmpty();
        h.time(500);
        h.span(span(PAY, null, "charge", "payments", T0 + 200, T0 + 500));
        assertThat(h.decided()).singleElement().satisfies(j -> {
            assertThat(j.spanId).isEqualTo(PAY);
            assertThat(j.spanName).isEqualTo("charge");
            assertThat(j.inferred).isFalse();
        });
        h.time(1500);
        assertThat(h.last().links).containsExactly(new Link(PAY, "charge", "payments", 1, 0));
    }

    @Test
    void aLogWhoseSpanNeverComesIsDecidedUnjoinedAfterTheMaxWaitAndLinkedWhenTheSpanShowsUp() throws Exception {
        h.log(log(PAY, "payments", T0 + 300, 9, "orphan"));
        h.time(1999);
        assertThat(h.decided()).isEmpty();
        h.time(2000);
        assertThat(h.decided()).singleElement().satisfies(j -> {
            assertThat(j.spanId).isEqualTo(PAY);
            assertThat(j.spanName).isNull();
        });
        assertThat(h.last().links).isEmpty();
        h.span(span(PAY, null, "charge", "payments", T0 + 200, T0 + 500));
        h.time(3000);
        assertThat(h.last().links).containsExactly(new Link(PAY, "charge", "payments", 1, 0));
    }

    @Test
    void theWatermarkDecidesBeforeTheMaxWait() throws Exception {
        h.span(span(PAY, null, "charge", "payments", T0, T0 + 500));
        h.log(log(null, "payments", T0 + 300, 9, "x"));
        h.watermark(T0 + 1299);
        assertThat(h.decided()).isEmpty();
        h.watermark(T0 + 1300);
        assertThat(h.decided()).singleElement().extracting(j -> j.spanId).isEqualTo(PAY);
    }

    @Test
    void outOfOrderArrivalGivesTheSameRecordAsInOrder() throws Exception {
        CorrelatorHarness ordered = h;
        feedCheckoutTrace();
        ordered.time(2000);
        ordered.watermark(T0 + 100_000);
        CorrelationRecord expected = ordered.last();

        try (CorrelatorHarness shuffled = new CorrelatorHarness(CorrelationSettings.defaults())) {
            List<Object> events = new ArrayList<>(List.of(
                    span(ROOT, null, "GET /checkout", "gateway", T0, T0 + 840),
                    errorSpan(CHECKOUT, ROOT, "checkout", "checkout", T0 + 100, T0 + 700),
                    span(PAY, CHECKOUT, "charge", "payments", T0 + 200, T0 + 500),
                    log(CHECKOUT, "checkout", T0 + 150, 9, "cart loaded"),
                    log(CHECKOUT, "checkout", T0 + 650, 17, "payment failed"),
                    log(null, "payments", T0 + 300, 13, "retrying card"),
                    log(null, "checkout", T0 + 120, 9, "validating")));
            Collections.shuffle(events, new Random(7));
            for (Object e : events) {
                if (e instanceof SpanEvent s) shuffled.span(s); else shuffled.log((LogEvent) e);
            }
            shuffled.time(2000);
            shuffled.watermark(T0 + 100_000);
            CorrelationRecord actual = shuffled.last();
            actual.updatedAt = expected.updatedAt;
            actual.version = expected.version;
            assertThat(RecordCodec.toJson(actual)).isEqualTo(RecordCodec.toJson(expected));
        }
    }

    @Test
    void closesWhenTheWatermarkPassesLastEventPlusWindow() throws Exception {
        feedCheckoutTrace();
        h.time(2000);
        long versionBefore = h.last().version;
        h.watermark(T0 + 840 + 59_999);
        assertThat(h.last().status).isEqualTo("open");
        h.watermark(T0 + 840 + 60_000);
        CorrelationRecord closed = h.last();
        assertThat(closed.status).isEqualTo("closed");
        assertThat(closed.version).isEqualTo(versionBefore + 1);
    }

    @Test
    void closesAfterAWindowOfProcessingTimeWithoutEvents() throws Exception {
        feedCheckoutTrace();
        h.time(30_000);
        h.log(log(CHECKOUT, "checkout", T0 + 600, 9, "keeps it open"));
        h.time(89_999);
        assertThat(h.last().status).isEqualTo("open");
        h.time(90_000);
        assertThat(h.last().status).isEqualTo("closed");
        assertThat(h.last().logCount).isEqualTo(5);
    }

    @Test
    void aLateEventUpdatesTheSameClosedRecord() throws Exception {
        feedCheckoutTrace();
        h.time(61_000);
        CorrelationRecord closed = h.last();
        assertThat(closed.status).isEqualTo("closed");
        h.log(log(PAY, "payments", T0 + 400, 9, "late log"));
        h.time(62_000);
        CorrelationRecord late = h.last();
        assertThat(late.correlationId).isEqualTo(closed.correlationId);
        assertThat(late.status).isEqualTo("closed");
        assertThat(late.lateEvents).isEqualTo(1);
        assertThat(late.logCount).isEqualTo(closed.logCount + 1);
        assertThat(late.version).isEqualTo(closed.version + 1);
        assertThat(h.records()).extracting(r -> r.correlationId).containsOnly(closed.correlationId);
    }

    @Test
    void duplicatesAreCountedOnceAndTheFirstCopyWins() throws Exception {
        h.span(span(PAY, null, "charge", "payments", T0, T0 + 500));
        SpanEvent again = span(PAY, null, "renamed", "payments", T0, T0 + 900);
        h.span(again);
        h.log(log(PAY, "payments", T0 + 10, 9, "once"));
        h.log(log(PAY, "payments", T0 + 10, 9, "once"));
        h.time(1000);
        CorrelationRecord r = h.last();
        assertThat(r.spanCount).isEqualTo(1);
        assertThat(r.logCount).isEqualTo(1);
        assertThat(r.root.operation).isEqualTo("charge");
        assertThat(r.durationMs).isEqualTo(500);
        assertThat(r.links).containsExactly(new Link(PAY, "charge", "payments", 1, 0));
    }

    @Test
    void spanIdsThatAreNotCanonicalHexAreDeduplicatedToo() throws Exception {
        // canonical ids are checked against the trace's id set, others by lookup: both within and across batches
        h.spans(span("legacy-root", null, "root", "gateway", T0, T0 + 800),
                span("legacy-root", null, "root copy", "gateway", T0, T0 + 900));
        h.span(span("legacy-root", null, "later copy", "gateway", T0, T0 + 950));
        h.spans(span(PAY, "legacy-root", "charge", "payments", T0 + 10, T0 + 20),
                span("LEGACY-ROOT", "legacy-root", "other id", "payments", T0 + 30, T0 + 40));
        h.span(span(PAY, "legacy-root", "charge copy", "payments", T0 + 10, T0 + 99));
        h.time(1000);
        CorrelationRecord r = h.last();
        assertThat(r.spanCount).isEqualTo(3);
        assertThat(r.root.operation).isEqualTo("root");
        assertThat(r.edges).singleElement().satisfies(e -> assertThat(e.calls).isEqualTo(2));
    }

    @Test
    void aQuietTraceIsEmittedBeforeTheInterval() throws Exception {
        h.time(1_050);
        h.span(span(PAY, null, "charge", "payments", T0, T0 + 500));
        h.time(1_150); // the logs' batch, a moment later: the quiet time starts again
        h.log(log(PAY, "payments", T0 + 100, 9, "charged"));
        h.time(1_399);
        assertThat(h.records()).isEmpty();
        h.time(1_400); // 200 ms quiet since the last batch, on the grid
        assertThat(h.records()).singleElement().satisfies(r -> {
            assertThat(r.version).isEqualTo(1);
            assertThat(r.spanCount).isEqualTo(1);
            assertThat(r.logCount).isEqualTo(1);
        });
        // later emissions keep the interval: the next change is emitted an interval after this one
        h.span(span(CHECKOUT, PAY, "a", "payments", T0, T0 + 10));
        h.time(2_399);
        assertThat(h.records()).hasSize(1);
        h.time(2_400);
        assertThat(h.records()).extracting(r -> r.spanCount).containsExactly(1L, 2L);
    }

    @Test
    void aTraceThatKeepsGrowingIsEmittedWithinTheInterval() throws Exception {
        for (int i = 0; i < 7; i++) { // a batch every 150 ms: never quiet for 200 ms
            h.time(i * 150L);
            h.span(span(sid(0x100 + i), null, "op", "payments", T0 + i, T0 + i + 5));
            h.time(Math.min(i * 150L + 149, 999));
            assertThat(h.records()).isEmpty();
        }
        h.time(1_000);
        assertThat(h.records()).singleElement().satisfies(r -> assertThat(r.spanCount).isEqualTo(7));
    }

    @Test
    void spansArrivingAfterTheTraceWasReadJoinLaterLogsAndEmissions() throws Exception {
        h.span(span(ROOT, null, "GET /checkout", "gateway", T0, T0 + 840));
        h.time(1_000); // emitted: the trace's spans were read (and are held in memory from here on)
        h.span(span(CHECKOUT, ROOT, "checkout", "checkout", T0 + 100, T0 + 700));
        h.log(log(CHECKOUT, "checkout", T0 + 150, 9, "cart loaded"));
        assertThat(h.decided()).singleElement().satisfies(j -> assertThat(j.spanName).isEqualTo("checkout"));
        h.time(2_000);
        CorrelationRecord r = h.last();
        assertThat(r.edges).containsExactly(new Edge("gateway", "checkout", 1, 0));
        assertThat(r.links).containsExactly(new Link(CHECKOUT, "checkout", "checkout", 1, 0));
    }

    @Test
    void processingTimeRulesRunOnATimerGridWithinTheirBounds() throws Exception {
        h.close();
        h = new CorrelatorHarness(withoutQuietEmission()); // the interval alone, to see its grid
        // first emission no later than the interval after the first event, on a 100 ms grid (a tenth of it)
        h.time(1_050);
        h.span(span(PAY, null, "charge", "payments", T0, T0 + 500));
        h.time(1_999);
        assertThat(h.records()).isEmpty();
        h.time(2_000);
        assertThat(h.records()).hasSize(1);
        // later emissions no sooner than the interval after the last one
        h.time(2_010);
        h.span(span(CHECKOUT, PAY, "a", "payments", T0, T0 + 10));
        h.time(2_999);
        assertThat(h.records()).hasSize(1);
        h.time(3_000);
        assertThat(h.records()).hasSize(2);
        // a log's max wait ends at 3_050 + 2_000; it is decided at the next grid point, not before
        h.time(3_050);
        h.log(log(sid(0x77), "payments", T0 + 5, 9, "waits"));
        h.time(4_000); // its emission, on the grid; the log is not due yet
        assertThat(h.records()).hasSize(3);
        h.time(5_049);
        assertThat(h.decided()).isEmpty();
        h.time(5_100);
        assertThat(h.decided()).singleElement().satisfies(j -> assertThat(j.log.body).isEqualTo("waits"));
    }

    @Test
    void aBatchIsTheSameAsItsEventsOneByOne() throws Exception {
        // a new trace's first batch: duplicates inside it, a log for a span of the batch, a trace-only log
        h.spans(span(ROOT, null, "GET /checkout", "gateway", T0, T0 + 840),
                span(PAY, ROOT, "charge", "payments", T0 + 200, T0 + 500),
                span(PAY, ROOT, "renamed copy", "payments", T0 + 200, T0 + 900));
        h.logs(log(PAY, "payments", T0 + 300, 9, "charged"), log(PAY, "payments", T0 + 300, 9, "charged"),
                log(null, "payments", T0 + 310, 9, "trace-only"));
        h.time(1000);
        CorrelationRecord batched = h.last();

        try (CorrelatorHarness single = new CorrelatorHarness(CorrelationSettings.defaults())) {
            single.span(span(ROOT, null, "GET /checkout", "gateway", T0, T0 + 840));
            single.span(span(PAY, ROOT, "charge", "payments", T0 + 200, T0 + 500));
            single.span(span(PAY, ROOT, "renamed copy", "payments", T0 + 200, T0 + 900));
            single.log(log(PAY, "payments", T0 + 300, 9, "charged"));
            single.log(log(PAY, "payments", T0 + 300, 9, "charged"));
            single.log(log(null, "payments", T0 + 310, 9, "trace-only"));
            single.time(1000);
            assertThat(batched).usingRecursiveComparison().isEqualTo(single.last());
        }
        assertThat(batched.spanCount).isEqualTo(2);
        assertThat(batched.logCount).isEqualTo(2);
        assertThat(batched.links).containsExactly(new Link(PAY, "charge", "payments", 1, 0));
        h.watermark(T0 + 2_000);
        h.time(2_000);
        assertThat(h.decided()).extracting(j -> j.log.body + "->" + j.spanId)
                .containsExactlyInAnyOrder("charged->" + PAY, "trace-only->" + PAY);
    }

    @Test
    void theExpiredEventsOfABatchGoOnAloneAndTheRestStartsTheTrace() throws Exception {
        h.watermark(T0 + 3_700_000); // past the window and the TTL (SPEC §8 defaults) of the first log's time
        h.logs(log(PAY, "payments", T0, 9, "expired"), log(PAY, "payments", T0 + 3_690_000, 9, "current"));
        assertThat(h.decided()).singleElement().satisfies(j -> {
            assertThat(j.log.body).isEqualTo("expired");
            assertThat(j.spanId).isEqualTo(PAY);
        });
        h.time(1000);
        assertThat(h.last().logCount).isEqualTo(1);
    }

    @Test
    void emitsAtMostOncePerIntervalAndOnlyWhenChanged() throws Exception {
        h.span(span(PAY, null, "charge", "payments", T0, T0 + 500));
        h.time(1000);
        h.time(5000);
        assertThat(h.records()).hasSize(1);
        h.span(span(CHECKOUT, PAY, "a", "payments", T0, T0 + 10));
        h.time(5500); // the change is due at once: the last emission is more than an interval ago
        h.span(span(ROOT, PAY, "b", "payments", T0, T0 + 20));
        h.time(6499);
        assertThat(h.records()).extracting(r -> r.spanCount).containsExactly(1L, 2L);
        h.time(6500);
        assertThat(h.records()).extracting(r -> r.version).containsExactly(1L, 2L, 3L);
        assertThat(h.records()).extracting(r -> r.updatedAt).containsExactly(
                RecordCodec.formatTime(1000), RecordCodec.formatTime(5500), RecordCodec.formatTime(6500));
        assertThat(h.last().spanCount).isEqualTo(3);
    }

    @Test
    void aHundredThousandSpanTraceStaysWithinTheCaps() throws Exception {
        int spans = 100_000;
        for (int i = 1; i <= spans; i++) {
            h.span(span(sid(i), i == 1 ? null : sid(1), "op", "svc-" + (i % 150), T0 + i, T0 + i + 5));
            if (i % 5 == 0) h.log(log(sid(i), "svc-" + (i % 150), T0 + i + 1, 9, "log " + i));
        }
        h.time(3000);
        CorrelationRecord r = h.last();
        assertThat(r.spanCount).isEqualTo(spans);
        assertThat(r.logCount).isEqualTo(spans / 5);
        assertThat(r.truncated).isTrue();
        assertThat(r.services).hasSize(100);
        assertThat(r.links).hasSizeLessThanOrEqualTo(1000);
        CorrelationSettings d = CorrelationSettings.defaults();
        // summary + tracked spans + tracked log fingerprints + links (+ nothing pending)
        assertThat(h.harness.numKeyedStateEntries())
                .isLessThanOrEqualTo(1 + d.maxSpansTracked + d.maxSpansTracked + d.maxLinks);
    }

    @Test
    void everythingIsClearedAfterTheTtlAndLaterEventsAreExpired() throws Exception {
        CorrelationSettings cfg = new CorrelationSettings(Duration.ofSeconds(60), Duration.ofSeconds(1),
                Duration.ofSeconds(600), Duration.ofSeconds(1), Duration.ofSeconds(2), 10_000, 1000, 100);
        try (CorrelatorHarness t = new CorrelatorHarness(cfg)) {
            t.span(span(PAY, null, "charge", "payments", T0, T0 + 500));
            t.log(log(null, "payments", T0 + 100, 9, "x"));
            t.time(61_000);
            assertThat(t.last().status).isEqualTo("closed");
            // A late log without span id, arriving so close to the clean-up that it is still pending then.
            t.time(61_000 + 600_000 - 500);
            t.log(log(null, "payments", T0 + 200, 9, "late, pending at TTL"));
            t.time(61_000 + 600_000);
            assertThat(StateEntries.ofTraces(t.harness)).as("cleared on the clean-up step, TTL/100 = 6 s").isPositive();
            t.time(666_000); // the first step at or after the close + TTL
            assertThat(StateEntries.ofTraces(t.harness)).isZero();
            assertThat(StateEntries.tombstones(t.harness)).as("what the trace leaves: when it was cleared").isEqualTo(1);
            assertThat(t.harness.numProcessingTimeTimers()).isZero();
            assertThat(t.harness.numEventTimeTimers()).isZero();
            assertThat(t.decided()).hasSize(2);
            CorrelationRecord last = t.last();
            assertThat(last.lateEvents).as("emitted before the state was cleared").isEqualTo(1);
            assertThat(last.links).containsExactly(new Link(PAY, "charge", "payments", 2, 2));
            int emitted = t.records().size();

            t.watermark(T0 + 500 + 60_000 + 600_000 + 1);
            t.log(log(PAY, "payments", T0 + 300, 9, "expired"));
            t.time(700_000);
            assertThat(t.records()).hasSize(emitted);
            assertThat(StateEntries.ofTraces(t.harness)).isZero();
            assertThat(t.decided()).last().satisfies(j -> {
                assertThat(j.log.body).as("an expired log still goes on to Loki").isEqualTo("expired");
                assertThat(j.spanName).isNull();
            });
        }
    }

    /**
     * SPEC §3: an event for a trace whose state was cleared is expired, whatever its own timestamp. Without
     * the tombstone, six fresh-timestamped logs after the clean-up started a new trace whose smaller record
     * (no spans, new first_seen, open) replaced the stored one in the sinks (issue 22, first finding).
     */
    @Test
    void eventsForAClearedTraceAreExpiredWhileItsRecordCanStillBeStored() throws Exception {
        CorrelationSettings cfg = new CorrelationSettings(Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(120), Duration.ofSeconds(1), Duration.ofSeconds(2), 10_000, 1000, 100);
        try (CorrelatorHarness t = new CorrelatorHarness(cfg)) {
            t.spans(span(ROOT, null, "root-op", "svcA", T0, T0 + 50), span(CHECKOUT, ROOT, "child", "svcA", T0 + 10, T0 + 40));
            t.log(log(CHECKOUT, "svcA", T0 + 20, 9, "one"));
            t.time(11_000);
            assertThat(t.last().status).isEqualTo("closed");
            t.time(111_000);
            t.log(log(CHECKOUT, "svcA", T0 + 111_000, 9, "late"));
            t.time(113_000);
            CorrelationRecord stored = t.last();
            assertThat(stored.lateEvents).isEqualTo(1);
            assertThat(stored.spanCount).isEqualTo(2);
            t.time(136_000); // the clean-up: close + TTL, on its step
            assertThat(StateEntries.ofTraces(t.harness)).isZero();
            int emitted = t.records().size();
            int decided = t.decided().size();

            for (int i = 0; i < 6; i++) t.log(log(CHECKOUT, "svcA", T0 + 136_000 + i, 9, "after clean-up " + i));
            t.time(150_000);

            assertThat(t.records()).as("its record is left as it is").hasSize(emitted);
            assertThat(StateEntries.ofTraces(t.harness)).as("no new trace").isZero();
            assertThat(t.decided()).hasSize(decided + 6).last().satisfies(j -> {
                assertThat(j.spanName).as("not correlated, yet on to Loki").isNull();
                assertThat(j.spanId).isEqualTo(CHECKOUT);
            });

            // Once the last record has expired in Redis (its TTL after the clean-up), the id is as good as new.
            t.time(136_000 + 120_000);
            t.log(log(CHECKOUT, "svcA", T0 + 256_000, 9, "a new life"));
            t.time(258_000);
            assertThat(t.records()).hasSize(emitted + 1);
            assertThat(t.last().logCount).isEqualTo(1);
        }
    }

    /**
     * A link counts against MAX_LINKS_PER_TRACE only once its span is known: logs naming spans that never
     * arrive took every slot before (issue 22: 537 links of 1,000 with 5,756 spans that had logs).
     */
    @Test
    void logsForSpansThatNeverArriveTakeNoLinkSlot() throws Exception {
        CorrelationSettings d = CorrelationSettings.defaults();
        CorrelationSettings cfg = new CorrelationSettings(Duration.ofMillis(d.windowMs), Duration.ofMillis(d.emitIntervalMs),
                Duration.ofMillis(d.ttlMs), Duration.ofMillis(d.joinSlackMs), Duration.ofMillis(d.joinMaxWaitMs),
                d.maxSpansTracked, 3, d.maxServices);
        try (CorrelatorHarness t = new CorrelatorHarness(cfg)) {
            for (int i = 0; i < 5; i++) t.log(log(sid(100 + i), "svc", T0 + i, 9, "for a span sampled away " + i));
            for (int i = 4; i >= 1; i--) {
                t.span(span(sid(i), null, "op" + i, "svc", T0 + i * 10, T0 + 100));
                t.log(log(sid(i), "svc", T0 + i * 10 + 1, 9, "in op" + i));
            }
            t.time(61_000);
            CorrelationRecord r = t.last();
            assertThat(r.links).extracting(l -> l.spanId).as("the earliest three known spans")
                    .containsExactly(sid(1), sid(2), sid(3));
            assertThat(r.truncated).isTrue();
            assertThat(r.logCount).isEqualTo(9);
        }
    }

    /** One rule for MAX_SERVICES_PER_TRACE: edges and links name only services the record lists. */
    @Test
    void edgesAndLinksNameOnlyTheListedServices() throws Exception {
        CorrelationSettings d = CorrelationSettings.defaults();
        CorrelationSettings cfg = new CorrelationSettings(Duration.ofMillis(d.windowMs), Duration.ofMillis(d.emitIntervalMs),
                Duration.ofMillis(d.ttlMs), Duration.ofMillis(d.joinSlackMs), Duration.ofMillis(d.joinMaxWaitMs),
                d.maxSpansTracked, d.maxLinks, 2);
        try (CorrelatorHarness t = new CorrelatorHarness(cfg)) {
            t.spans(span(ROOT, null, "front", "a", T0, T0 + 100), span(CHECKOUT, ROOT, "mid", "b", T0 + 10, T0 + 90));
            t.span(span(PAY, CHECKOUT, "back", "c", T0 + 20, T0 + 80));
            t.logs(log(ROOT, "a", T0 + 1, 9, "x"), log(CHECKOUT, "b", T0 + 11, 9, "y"), log(PAY, "c", T0 + 21, 9, "z"));
            t.time(61_000);
            CorrelationRecord r = t.last();
            assertThat(r.services).containsExactly("a", "b");
            assertThat(r.edges).containsExactly(new Edge("a", "b", 1, 0));
            assertThat(r.links).extracting(l -> l.service).containsExactly("a", "b");
            assertThat(r.truncated).isTrue();
            assertThat(r.spanCount).isEqualTo(3);
            assertThat(r.logCount).isEqualTo(3);
        }
    }

    /** A span without id cannot be deduplicated: it is not counted at all (the decoder refuses it anyway). */
    @Test
    void spansWithoutIdAreNotCounted() throws Exception {
        h.span(span(ROOT, null, "root", "gateway", T0, T0 + 10));
        for (int i = 0; i < 2; i++) h.span(span(null, ROOT, "no id", "gateway", T0 + 1, T0 + 5));
        h.time(61_000);
        assertThat(h.last().spanCount).isEqualTo(1);
    }

    /** The defaults, with the first emission waiting for the emit interval however quiet the trace is. */
    private static CorrelationSettings withoutQuietEmission() {
        CorrelationSettings d = CorrelationSettings.defaults();
        return new CorrelationSettings(Duration.ofMillis(d.windowMs), Duration.ofMillis(d.emitIntervalMs), Duration.ZERO,
                Duration.ofMillis(d.ttlMs), Duration.ofMillis(d.joinSlackMs), Duration.ofMillis(d.joinMaxWaitMs),
                d.maxSpansTracked, d.maxLinks, d.maxServices);
    }

    @Test
    void pendingLogsHeldInMemoryAreInTheCheckpointAndDecidedAfterARestore() throws Exception {
        // logs before their spans, as spans are reported when they end: held in memory, not yet in state
        h.log(log(CHECKOUT, "checkout", T0 + 150, 9, "cart loaded"));
        h.log(log(null, "payments", T0 + 300, 13, "retrying card"));
        h.log(log(PAY, "payments", T0 + 350, 9, "charged"));
        h.span(span(PAY, null, "charge", "payments", T0 + 200, T0 + 500));
        assertThat(h.decided()).as("the span that arrived decides its held log at once")
                .extracting(d -> d.log.body + "|" + d.spanName).containsExactly("charged|charge");
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot = h.harness.snapshot(1, 0);
        h.close();

        h = new CorrelatorHarness(CorrelationSettings.defaults(), snapshot);
        h.span(span(CHECKOUT, null, "checkout", "checkout", T0 + 100, T0 + 700));
        h.time(CorrelationSettings.defaults().joinMaxWaitMs + 1); // the trace-only log's wait is over
        assertThat(h.decided()).as("both restored from the checkpoint, none lost, none twice")
                .extracting(d -> d.log.body + "|" + d.spanName + "|" + d.inferred)
                .containsExactly("cart loaded|checkout|false", "retrying card|charge|true");
        h.time(60_000 + 2 * CorrelationSettings.defaults().joinMaxWaitMs); // closes
        CorrelationRecord last = h.last();
        assertThat(last.logCount).isEqualTo(3);
        assertThat(last.links).extracting(l -> l.spanName + ":" + l.logCount + ":" + l.inferredLogCount)
                .containsExactlyInAnyOrder("checkout:1:0", "charge:2:1");
    }

    @Test
    void idSetsAndLinksHeldWithTheSummaryAreInTheCheckpoint() throws Exception {
        // written back with the summary once quiet for a second: a checkpoint within that second must have them
        h.span(span(PAY, null, "charge", "payments", T0 + 200, T0 + 500));
        h.log(log(PAY, "payments", T0 + 350, 9, "charged"));
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot = h.harness.snapshot(1, 0);
        h.close();

        h = new CorrelatorHarness(CorrelationSettings.defaults(), snapshot);
        h.span(span(PAY, null, "charge", "payments", T0 + 200, T0 + 500)); // delivered again
        h.log(log(PAY, "payments", T0 + 350, 9, "charged"));
        h.log(log(PAY, "payments", T0 + 360, 9, "charged again"));
        h.time(60_000 + 2 * CorrelationSettings.defaults().joinMaxWaitMs); // closes
        CorrelationRecord last = h.last();
        assertThat(last.spanCount).as("the span id set was in the checkpoint").isEqualTo(1);
        assertThat(last.logCount).as("the fingerprints were in the checkpoint").isEqualTo(2);
        assertThat(last.links).as("the link table was in the checkpoint")
                .extracting(l -> l.spanName + ":" + l.logCount).containsExactly("charge:2");
    }

    @Test
    void aClosedTraceKeepsOneCompactValueAndLateEventsSeeAllOfIt() throws Exception {
        feedCheckoutTrace();
        h.span(span("legacy-span", PAY, "legacy", "ledger", T0 + 210, T0 + 260)); // an id that is not 16 hex digits
        h.log(log("legacy-span", "ledger", T0 + 220, 9, "posted"));
        h.time(61_000);
        CorrelationRecord closed = h.last();
        assertThat(closed.status).isEqualTo("closed");
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot = h.harness.snapshot(1, 61_000);
        assertThat(keysWith("closed-trace")).as("the closed trace's one value").containsExactly(TRACE);
        for (String open : List.of("span-list", "span-id-set", "log-fingerprint-set", "link-table", "graph-edges-counted")) {
            assertThat(keysWith(open)).as("%s of the closed trace", open).isEmpty();
        }
        h.close();

        // restored: nothing held, everything read from the closed-trace value
        h = new CorrelatorHarness(CorrelationSettings.defaults(), snapshot);
        h.time(61_000);
        h.span(span(PAY, CHECKOUT, "charge again", "payments", T0 + 200, T0 + 500));   // duplicate: id set
        h.span(span("legacy-span", PAY, "legacy again", "ledger", T0 + 210, T0 + 260)); // duplicate: other id
        h.log(log(CHECKOUT, "checkout", T0 + 150, 9, "cart loaded"));                    // duplicate: fingerprints
        h.span(span(sid(4), PAY, "fraud check", "fraud", T0 + 300, T0 + 400));          // new child of a known span
        h.log(log(PAY, "payments", T0 + 450, 9, "receipt sent"));                          // link of a known span
        h.time(63_000 + CorrelationSettings.defaults().joinMaxWaitMs);
        CorrelationRecord late = h.last();
        assertThat(late.spanCount).isEqualTo(closed.spanCount + 1);
        assertThat(late.logCount).isEqualTo(closed.logCount + 1);
        assertThat(late.lateEvents).isEqualTo(2);
        assertThat(late.edges).contains(new Edge("payments", "fraud", 1, 0), new Edge("payments", "ledger", 1, 0));
        assertThat(late.links).contains(new Link(PAY, "charge", "payments", 2, 1),
                new Link("legacy-span", "legacy", "ledger", 1, 0));
        assertThat(late.durationMs).isEqualTo(closed.durationMs);
        assertThat(h.graphIncrements()).as("of the edges, only the new one counted after the restore")
                .filteredOn(u -> u.key().isEdge()).extracting(u -> u.key().service()).containsExactly("fraud");
    }

    @Test
    void anOpenTraceQuietAfterItsEmissionTakesTheCompactFormAndGrowsAsInTheOpenForm() throws Exception {
        CorrelationRecord compacted = growingTrace(true);
        h.close();
        h = new CorrelatorHarness(CorrelationSettings.defaults());
        CorrelationRecord open = growingTrace(false);
        assertThat(compacted.spanCount).isEqualTo(5);
        assertThat(compacted.logCount).isEqualTo(6);
        assertThat(compacted.status).isEqualTo("closed");
        assertThat(RecordCodec.sameContent(RecordCodec.toJsonBytes(compacted), RecordCodec.toJsonBytes(open)))
                .as("the same record whichever form the trace was in when it grew:%n%s%n%s",
                        RecordCodec.toJson(compacted), RecordCodec.toJson(open))
                .isTrue();
    }

    /**
     * The checkout trace, emitted, then more events of it while it is open, then its close; with
     * {@code quiet}, another trace's batch comes once it has been quiet past the summaries' write-back,
     * which puts it into compact form. Its last record.
     */
    private CorrelationRecord growingTrace(boolean quiet) throws Exception {
        feedCheckoutTrace();
        h.span(span("legacy-span", PAY, "legacy", "ledger", T0 + 210, T0 + 260)); // an id that is not 16 hex digits
        long wait = CorrelationSettings.defaults().joinMaxWaitMs;
        h.time(1_000);
        h.time(1_000 + wait); // the logs without span id decided
        h.time(3_000 + wait); // and emitted
        assertThat(h.last().status).isEqualTo("open");
        if (quiet) {
            SpanEvent other = span(sid(9), null, "other", "other", T0, T0 + 10);
            other.traceId = "0af7651916cd43dd8448eb211c80319c";
            h.time(4_000 + wait);
            h.span(other);
            assertThat(keysWith("closed-trace")).as("the open trace's one value").containsExactly(TRACE);
            for (String state : List.of("span-list", "span-id-set", "log-fingerprint-set", "link-table", "graph-edges-counted")) {
                assertThat(keysWith(state)).as("%s of the open trace in compact form", state).doesNotContain(TRACE);
            }
        } else {
            assertThat(keysWith("closed-trace")).isEmpty();
            assertThat(keysWith("span-list")).containsExactly(TRACE);
        }
        h.time(5_000 + wait);
        h.span(span(PAY, CHECKOUT, "charge again", "payments", T0 + 200, T0 + 500));   // duplicate: id set
        h.span(span("legacy-span", PAY, "legacy again", "ledger", T0 + 210, T0 + 260)); // duplicate: other id
        h.log(log(CHECKOUT, "checkout", T0 + 150, 9, "cart loaded"));                    // duplicate: fingerprints
        h.span(span(sid(4), PAY, "fraud check", "fraud", T0 + 300, T0 + 400));          // new child of a known span
        h.log(log(PAY, "payments", T0 + 450, 9, "receipt sent"));                          // link of a known span
        h.log(log(null, "fraud", T0 + 350, 9, "scored"));                                  // inferred → the new span
        h.time(7_000 + 2 * wait);
        h.time(80_000); // closes
        return h.records().stream().filter(r -> r.traceId.equals(TRACE)).reduce((a, b) -> b).orElseThrow();
    }

    private List<String> keysWith(String state) {
        try (var keys = h.harness.getOperator().getKeyedStateBackend().<org.apache.flink.runtime.state.VoidNamespace>getKeys(
                state, org.apache.flink.runtime.state.VoidNamespace.INSTANCE)) {
            return keys.map(Object::toString).toList();
        }
    }
}
