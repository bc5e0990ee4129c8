package org.correlationstation.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.api.store.StoreTestRecords.BASE;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.core.graph.ServiceGraph;
import org.correlationstation.core.record.CorrelationRecord;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store's service graph ({@code putGraph}): the Redis writer's compare-and-set rule,
 * the TTL after a bucket's last update, its share of the byte bound, and concurrent writers.
 */
class InMemoryGraphTest {
    private static final long MINUTE = 60_000;
    private static final GraphKey CHECKOUT = GraphKey.node("checkout");
    private static final GraphKey EDGE = GraphKey.edge("frontend", "checkout");

    private final AtomicLong clock = new AtomicLong(BASE);

    @Test
    void keepsTheCountsWithTheMostCallsAndCopiesThem() throws Exception {
        InMemoryCorrelationStore store = new InMemoryCorrelationStore(Duration.ofHours(1), 100, clock::get);
        GraphCounts ten = counts(10, 1, 5.0);
        store.putGraph(new GraphUpdate(BASE, CHECKOUT, ten));
        ten.add(1_000_000, true); // the caller's object changes afterwards: the store kept a copy
        assertThat(calls(store, CHECKOUT)).isEqualTo(10);

        store.putGraph(new GraphUpdate(BASE, CHECKOUT, counts(7, 0, 5.0))); // a replay of an older state
        assertThat(calls(store, CHECKOUT)).isEqualTo(10);
        store.putGraph(new GraphUpdate(BASE, CHECKOUT, counts(10, 4, 9.0))); // as many calls: replaces
        assertThat(graph(store).totals().get(CHECKOUT).errors).isEqualTo(4);
        store.putGraph(new GraphUpdate(BASE, CHECKOUT, counts(12, 0, 5.0)));
        assertThat(calls(store, CHECKOUT)).isEqualTo(12);
        // Another element or another bucket is another entry.
        store.putGraph(new GraphUpdate(BASE, EDGE, counts(3, 0, 5.0)));
        store.putGraph(new GraphUpdate(BASE + MINUTE, CHECKOUT, counts(2, 0, 5.0)));
        assertThat(calls(store, CHECKOUT)).isEqualTo(14);
        assertThat(calls(store, EDGE)).isEqualTo(3);
        assertThat(store.graphBuckets()).isEqualTo(2);
    }

    @Test
    void aBucketExpiresTheTtlAfterItsLastUpdate() throws Exception {
        InMemoryCorrelationStore store = new InMemoryCorrelationStore(Duration.ofSeconds(100), 100, clock::get);
        store.putGraph(new GraphUpdate(BASE, CHECKOUT, counts(1, 0, 1.0)));
        store.putGraph(new GraphUpdate(BASE + MINUTE, CHECKOUT, counts(2, 0, 1.0)));
        clock.addAndGet(60_000);
        store.putGraph(new GraphUpdate(BASE, EDGE, counts(1, 0, 1.0))); // bucket BASE updated again
        clock.addAndGet(40_000); // bucket BASE + 1 min: 100 s after its last update
        assertThat(store.graphBuckets()).isEqualTo(1);
        assertThat(calls(store, CHECKOUT)).isEqualTo(1);
        clock.addAndGet(60_000);
        assertThat(store.graphBuckets()).isZero();
        assertThat(store.graphBytes()).isZero();
        assertThat(graph(store).totals()).isEmpty();
        assertThat(store.graphEvictions()).as("expired, not evicted").isZero();
    }

    @Test
    void theGraphTakesAtMostAnEighthOfTheByteBoundAndRecordsTheRest() throws Exception {
        long max = 1 << 20;
        InMemoryCorrelationStore store = new InMemoryCorrelationStore(Duration.ofHours(1), 1_000_000, max, clock::get);
        // Records first, up to the whole bound.
        StoreTestRecords gen = new StoreTestRecords(40);
        List<CorrelationRecord> records = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            records.add(gen.traceRecord(BASE + i, 20));
            store.put(records.get(i));
        }
        assertThat(store.bytes()).isGreaterThan(max - 8_000);
        int recordsBefore = store.size();
        // Then a flood of buckets: 2,000 buckets of 20 elements (several MB estimated).
        for (int b = 0; b < 2_000; b++) {
            for (int e = 0; e < 20; e++) {
                store.putGraph(new GraphUpdate(BASE + b * MINUTE, GraphKey.edge("svc-" + e, "svc-" + (e + 1)),
                        counts(5, 0, 1.0 + e)));
            }
            assertThat(store.graphBytes()).isLessThanOrEqualTo(max / 8);
            assertThat(store.bytes() + store.graphBytes()).isLessThanOrEqualTo(max);
        }
        assertThat(store.graphEvictions()).isPositive();
        // The newest buckets are kept, the oldest went first.
        int held = store.graphBuckets();
        assertThat(held).isBetween(10, 2_000);
        assertThat(graph(store, BASE + (2_000 - held) * MINUTE, BASE + 2_000 * MINUTE).totals()).hasSize(20);
        assertThat(graph(store, BASE, BASE + (2_000 - held) * MINUTE).totals()).isEmpty();
        // The records gave way to the graph's share, oldest first.
        assertThat(store.size()).isLessThan(recordsBefore);
        assertThat(store.bytes()).isLessThanOrEqualTo(max - store.graphBytes());
        assertThat(await(store.byTraceId(records.get(399).traceId))).isPresent();
        assertThat(await(store.byTraceId(records.get(0).traceId))).isEmpty();
    }

    @Test
    void concurrentWritersAndReadersEndWithTheLargestCountsOfEachElement() throws Exception {
        InMemoryCorrelationStore store = new InMemoryCorrelationStore(Duration.ofHours(1), 100, clock::get);
        int writers = 4;
        int updates = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                // Each writer sends growing counts for the same elements, out of step with the others,
                // as a replay after a restore overlaps the live emissions.
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 1; i <= updates; i++) {
                        long calls = i * writers + writer;
                        store.putGraph(new GraphUpdate(BASE + (i % 3) * MINUTE, EDGE, counts(calls, 0, 1.0)));
                    }
                    return null;
                }));
            }
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 500; i++) {
                    ServiceGraph g = graph(store);
                    if (!g.totals().isEmpty()) assertThat(g.totals().get(EDGE).calls).isPositive();
                }
                return null;
            }));
            start.countDown();
            for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        // Per bucket the largest calls any writer sent there: i ≡ bucket (mod 3), i ≤ updates, writer 3.
        long want = 0;
        for (int bucket = 0; bucket < 3; bucket++) {
            int lastI = updates - Math.floorMod(updates - bucket, 3);
            want += (long) lastI * writers + (writers - 1);
        }
        assertThat(calls(store, EDGE)).isEqualTo(want);
    }

    /** {@code calls} spans of {@code ms} each, the first {@code errors} of them errors. */
    private static GraphCounts counts(long calls, int errors, double ms) {
        GraphCounts c = new GraphCounts();
        for (long i = 0; i < Math.min(calls, 3); i++) c.add((long) (ms * 1e6), i < errors);
        c.calls = calls; // the counts' fields are what the rule compares: no need for as many durations
        c.errors = errors;
        return c;
    }

    private ServiceGraph graph(InMemoryCorrelationStore store) throws Exception {
        return graph(store, BASE - 60 * MINUTE, BASE + 10_000 * MINUTE);
    }

    private static ServiceGraph graph(InMemoryCorrelationStore store, long since, long until) throws Exception {
        return await(store.graph(since, until, null));
    }

    private long calls(InMemoryCorrelationStore store, GraphKey key) throws Exception {
        GraphCounts c = graph(store).totals().get(key);
        return c == null ? 0 : c.calls;
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }
}
