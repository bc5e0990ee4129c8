package org.correlationstation.job.correlate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;

/**
 * The correlator against {@link ReferenceModel}: random sequences of spans and logs of a few traces,
 * in any order, with duplicates and replays, late and post-clean-up events, missing parents, spans
 * without id, caps reached, watermarks and processing time moving in jumps, and restores from a
 * checkpoint in the middle, fed to both ({@link ModelDriver}); their records and their Loki decisions
 * must be equal. A counterexample jqwik shrinks goes into {@link TraceCorrelatorTest} as an example.
 *
 * <p>CI runs {@link #theCorrelatorAgreesWithTheModel} with a fixed seed; a release check runs the
 * {@code release}-tagged property with fresh seeds and many more tries (docs/semantics.md, "Checking the
 * rules").
 */
class CorrelatorModelPropertyTest {
    private static final long T0 = 1_800_000_000_000L;
    private static final String[] SERVICES = {"a", "b", "c", "d"};
    /** Logs mostly of the first two services, so that logs without span id find spans of theirs. */
    private static final Arbitrary<Integer> LOG_SERVICE = Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.integers().between(0, 1)), Tuple.of(1, Arbitraries.integers().between(2, 3)));
    private static final String[] BODIES = {"b0", "b1", "b2"};

    /** Small caps, so that a few events reach them; a window, TTL and waits a few clock moves cross. */
    private static final CorrelationSettings SMALL_CAPS = settings(6, 3, 3);
    /** Caps no scenario reaches. */
    private static final CorrelationSettings ROOMY = settings(10_000, 1000, 100);

    private static CorrelationSettings settings(int spansTracked, int links, int services) {
        return new CorrelationSettings(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(20),
                Duration.ofSeconds(1), Duration.ofSeconds(2), spansTracked, links, services);
    }

    @Property(tries = 300, seed = "20261204", edgeCases = EdgeCasesMode.NONE)
    void theCorrelatorAgreesWithTheModel(@ForAll("scenarios") Scenario scenario) throws Exception {
        Map<String, Integer> happened = scenario.run();
        // The scenarios must keep reaching the rules that matter, or agreeing proves little.
        for (String rule : COVERED) {
            Statistics.label(rule).collect(happened.containsKey(rule));
            Statistics.label(rule).coverage(c -> c.check(true).percentage(p -> p >= MIN_COVERAGE.getOrDefault(rule, 5)));
        }
    }

    private static final Map<String, Integer> MIN_COVERAGE = Map.of("started again after its tombstone", 3);
    private static final List<String> COVERED = List.of("expired by watermark", "expired after clean-up",
            "started again after its tombstone", "late event", "inferred join", "truncated");

    /** The release check: {@code mvn -pl job test -Dtests.excludedGroups=none -Dgroups=release}. */
    @Property(tries = 5000, edgeCases = EdgeCasesMode.NONE)
    @Tag("release")
    void theCorrelatorAgreesWithTheModelOnManyMoreScenarios(@ForAll("scenarios") Scenario scenario) throws Exception {
        scenario.run();
    }

    // ---- scenarios ----------------------------------------------------------------------------------

    /** What a scenario does, in order; event times are relative to processing time when it runs. */
    sealed interface Step permits Spans, Logs, Advance, Watermark, Replay, Settle, Restore {}

    /** Spans of one trace in one message. */
    record Spans(int trace, List<SpanSpec> spans) implements Step {}

    /**
     * @param id 1..7 (the span id), 0 for a span without id
     * @param parent 0 for none, else the parent's id (which may never arrive)
     * @param end the end's offset from processing time, in grid steps (negative: older)
     * @param length in grid steps; {@code nanos} sub-millisecond, so that nested spans can start in one ms
     */
    record SpanSpec(int id, int parent, int service, int end, int length, int nanos, boolean error, boolean dev) {}

    /** Logs of one trace in one message. */
    record Logs(int trace, List<LogSpec> logs) implements Step {}

    /** @param span 0 for none, else a span id (8 never arrives) */
    record LogSpec(int span, int service, int time, int severity, int body) {}

    record Advance(int gridSteps) implements Step {}

    /** The watermark moves to processing time + {@code offset} grid steps (if that is later). */
    record Watermark(int offset) implements Step {}

    /** An earlier message delivered again (the {@code back}-th before, counting from the last). */
    record Replay(int back) implements Step {}

    record Settle() implements Step {}

    record Restore() implements Step {}

    record Scenario(boolean rocksDb, boolean smallCaps, List<Step> steps) {
        /** Runs the scenario against both; what {@link ReferenceModel#happened} says it went through. */
        Map<String, Integer> run() throws Exception {
            CorrelationSettings cfg = smallCaps ? SMALL_CAPS : ROOMY;
            try (ModelDriver driver = new ModelDriver(cfg, rocksDb)) {
                List<Object[]> sent = new ArrayList<>();
                for (Step step : steps) {
                    if (step instanceof Spans s) {
                        SpanEvent[] spans = s.spans().stream().map(x -> span(s.trace(), x, driver.now()))
                                .toArray(SpanEvent[]::new);
                        sent.add(spans);
                        driver.spans(spans);
                    } else if (step instanceof Logs l) {
                        LogEvent[] logs = l.logs().stream().map(x -> log(l.trace(), x, driver.now()))
                                .toArray(LogEvent[]::new);
                        sent.add(logs);
                        driver.logs(logs);
                    } else if (step instanceof Replay r) {
                        if (sent.isEmpty()) continue;
                        Object[] again = sent.get(sent.size() - 1 - r.back() % sent.size());
                        if (again instanceof SpanEvent[] spans) driver.spans(spans);
                        else driver.logs((LogEvent[]) again);
                    } else if (step instanceof Advance a) {
                        driver.advance(a.gridSteps() * ModelDriver.GRID_MS);
                    } else if (step instanceof Watermark w) {
                        driver.watermark(T0 + driver.now() + w.offset() * ModelDriver.GRID_MS);
                    } else if (step instanceof Settle) {
                        driver.settleAndCompare();
                    } else {
                        driver.restore();
                    }
                }
                driver.finish();
                return driver.model().happened();
            }
        }
    }

    private static String traceId(int trace) {
        return String.format("%032x", 0xabc000 + trace);
    }

    private static String spanId(int id) {
        return String.format("%016x", id);
    }

    static SpanEvent span(int trace, SpanSpec x, long now) {
        SpanEvent s = new SpanEvent();
        s.traceId = traceId(trace);
        s.spanId = x.id() == 0 ? null : spanId(x.id());
        s.parentSpanId = x.parent() == 0 ? null : spanId(x.parent());
        s.name = "op" + x.id();
        s.service = SERVICES[x.service()];
        s.env = x.dev() ? "dev" : "prod";
        long endMs = T0 + now + x.end() * ModelDriver.GRID_MS;
        s.endTimeNanos = endMs * 1_000_000L;
        s.startTimeNanos = (endMs - x.length() * ModelDriver.GRID_MS) * 1_000_000L + x.nanos();
        s.startTimeNanos = Math.min(s.startTimeNanos, s.endTimeNanos);
        s.error = x.error();
        return s;
    }

    static LogEvent log(int trace, LogSpec x, long now) {
        LogEvent l = new LogEvent();
        l.traceId = traceId(trace);
        l.spanId = x.span() == 0 ? null : spanId(x.span());
        l.service = SERVICES[x.service()];
        l.env = "prod";
        l.timeNanos = (T0 + now + x.time() * ModelDriver.GRID_MS) * 1_000_000L;
        l.severityNumber = x.severity();
        l.body = BODIES[x.body()];
        return l;
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Integer> trace = Arbitraries.integers().between(0, 2);
        // Mostly around processing time; sometimes far older (expired once the watermark has moved).
        Arbitrary<Integer> eventOffset = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.integers().between(-20, 3)),
                Tuple.of(1, Arbitraries.integers().between(-600, -300)));
        Arbitrary<SpanSpec> spanSpec = Combinators.combine(
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0)), Tuple.of(30, Arbitraries.integers().between(1, 7))),
                Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(0)), Tuple.of(5, Arbitraries.integers().between(1, 8))),
                Arbitraries.integers().between(0, SERVICES.length - 1),
                eventOffset,
                Arbitraries.integers().between(0, 40),
                Arbitraries.of(0, 1, 500_000),
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(true)), Tuple.of(4, Arbitraries.just(false))),
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(true)), Tuple.of(6, Arbitraries.just(false))))
                .as(SpanSpec::new);
        Arbitrary<LogSpec> logSpec = Combinators.combine(
                Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(0)), Tuple.of(6, Arbitraries.integers().between(1, 8))),
                LOG_SERVICE,
                eventOffset,
                Arbitraries.of(9, 13, 17),
                Arbitraries.integers().between(0, BODIES.length - 1))
                .as(LogSpec::new);
        Arbitrary<Step> spans = Combinators.combine(trace, spanSpec.list().ofMinSize(1).ofMaxSize(3)).as(Spans::new);
        Arbitrary<Step> logs = Combinators.combine(trace, logSpec.list().ofMinSize(1).ofMaxSize(3)).as(Logs::new);
        // From a grid step to past the TTL (20 s) in one move.
        Arbitrary<Step> advance = Arbitraries.of(1, 2, 5, 10, 20, 50, 100, 150, 250).map(Advance::new);
        Arbitrary<Step> watermark = Arbitraries.integers().between(-120, 10).map(Watermark::new);
        Arbitrary<Step> replay = Arbitraries.integers().between(0, 20).map(Replay::new);
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                Tuple.of(6, spans),
                Tuple.of(8, logs),
                Tuple.of(7, advance),
                Tuple.of(4, watermark),
                Tuple.of(2, replay),
                Tuple.of(1, Arbitraries.just(new Settle())),
                Tuple.of(1, Arbitraries.just(new Restore())));
        return Combinators.combine(
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(true)), Tuple.of(3, Arbitraries.just(false))),
                Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just(true)), Tuple.of(1, Arbitraries.just(false))),
                step.list().ofMinSize(1).ofMaxSize(80))
                .as(Scenario::new);
    }
}
