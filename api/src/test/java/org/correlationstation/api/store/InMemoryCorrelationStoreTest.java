package org.correlationstation.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.api.store.StoreTestRecords.BASE;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.correlationstation.core.record.CorrelationRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared contract against the in-memory store, plus its clock-driven TTL and its size bound. */
class InMemoryCorrelationStoreTest extends CorrelationStoreContract {
    private final AtomicLong clock = new AtomicLong(BASE);
    private InMemoryCorrelationStore store;

    @BeforeEach
    void create() {
        store = new InMemoryCorrelationStore(Duration.ofHours(1), 1_000_000, clock::get);
    }

    @Override
    protected CorrelationStore store() {
        return store;
    }

    @Override
    protected void seed(List<CorrelationRecord> records) {
        for (CorrelationRecord r : records) store.put(r);
    }

    @Test
    void recordsExpireTheTtlAfterTheirLastWrite() throws Exception {
        store = new InMemoryCorrelationStore(Duration.ofSeconds(10), 100, clock::get);
        StoreTestRecords gen = new StoreTestRecords(10);
        CorrelationRecord early = gen.record(BASE, "open", true, "checkout");
        CorrelationRecord late = gen.record(BASE + 1, "open", true, "checkout");
        store.put(early);
        clock.addAndGet(6_000);
        store.put(late);
        clock.addAndGet(4_000); // early: 10 s after its write
        assertThat(await(store.byCorrelationId(early.correlationId))).isEmpty();
        assertThat(await(store.byTraceId(early.traceId))).isEmpty();
        assertThat(await(store.byCorrelationId(late.correlationId))).isPresent();
        Page page = await(store.query(new CorrelationQuery("checkout", null, null, null, true, 10, null)));
        assertThat(StoreTestRecords.ids(page.items())).containsExactly(late.correlationId);
        clock.addAndGet(6_000);
        assertThat(await(store.query(new CorrelationQuery(null, null, null, null, null, 10, null))).items()).isEmpty();
        assertThat(store.size()).isZero();
    }

    @Test
    void boundedSizeEvictsTheOldestWriteFirst() throws Exception {
        store = new InMemoryCorrelationStore(Duration.ofHours(1), 3, clock::get);
        StoreTestRecords gen = new StoreTestRecords(11);
        List<CorrelationRecord> records = List.of(gen.record(BASE + 50, "open", false), gen.record(BASE + 10, "open", false),
                gen.record(BASE + 40, "open", false), gen.record(BASE + 20, "open", false), gen.record(BASE + 30, "open", false));
        for (CorrelationRecord r : records) {
            store.put(r);
            clock.incrementAndGet();
        }
        assertThat(store.size()).isEqualTo(3);
        assertThat(await(store.byCorrelationId(records.get(0).correlationId))).isEmpty();
        assertThat(await(store.byCorrelationId(records.get(1).correlationId))).isEmpty();
        Page page = await(store.query(new CorrelationQuery(null, null, null, null, null, 10, null)));
        assertThat(StoreTestRecords.ids(page.items())).containsExactly(records.get(2).correlationId,
                records.get(4).correlationId, records.get(3).correlationId);
        // A rewrite makes a record the newest write again: the next eviction takes another one.
        CorrelationRecord again = StoreTestRecords.record(records.get(2).traceId, BASE + 40, "closed", false, "checkout");
        store.put(again);
        store.put(gen.record(BASE + 60, "open", false));
        assertThat(await(store.byCorrelationId(records.get(2).correlationId))).isPresent();
        assertThat(await(store.byCorrelationId(records.get(3).correlationId))).isEmpty();
    }
}
