package org.correlationstation.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.api.store.StoreTestRecords.BASE;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared contract against the in-memory store, plus its clock-driven TTL and its bounds in records and bytes. */
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
    void anUpdateIsListedOnceWhereItsIndexesAndItsEarliestFirstSeenPutIt() throws Exception {
        StoreTestRecords gen = new StoreTestRecords(12);
        CorrelationRecord other = gen.record(BASE - 2000, "open", false, "cart", "checkout");
        String trace = gen.record(BASE, "open", false).traceId;
        store.put(other);
        store.put(grown(StoreTestRecords.record(trace, BASE, "open", false, "checkout"), 1));
        String id = CorrelationIds.forTrace(trace);
        assertThat(listed(null, null)).containsExactly(id, other.correlationId);

        // The same place: a new service and an error add it to their indexes.
        store.put(grown(StoreTestRecords.record(trace, BASE, "open", true, "cart", "checkout"), 2));
        assertThat(listed(null, null)).containsExactly(id, other.correlationId);
        assertThat(listed("cart", null)).containsExactly(id, other.correlationId);
        assertThat(listed(null, true)).containsExactly(id);

        // An earlier first_seen moves it in every index it is in.
        store.put(grown(StoreTestRecords.record(trace, BASE - 5000, "open", true, "cart", "checkout"), 3));
        assertThat(listed(null, null)).containsExactly(other.correlationId, id);
        assertThat(listed("cart", null)).containsExactly(other.correlationId, id);
        assertThat(listed("checkout", null)).containsExactly(other.correlationId, id);
        assertThat(listed(null, true)).containsExactly(id);

        // A later one does not (an index score is only ever lowered, as ZADD LT does in Redis).
        store.put(grown(StoreTestRecords.record(trace, BASE + 1000, "closed", true, "cart", "checkout"), 4));
        assertThat(listed(null, null)).containsExactly(other.correlationId, id);
        assertThat(listed("cart", null)).containsExactly(other.correlationId, id);
        assertThat(listed(null, true)).containsExactly(id);
        assertThat(store.size()).isEqualTo(2);
    }

    private static CorrelationRecord grown(CorrelationRecord r, int spans) {
        r.spanCount = spans;
        return r;
    }

    private List<String> listed(String service, Boolean hasError) throws Exception {
        return StoreTestRecords.ids(await(store.query(new CorrelationQuery(service, null, null, null, hasError, 10, null))).items());
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

    // ---------------------------------------------------------------- the byte bound (issue 22 item 7)

    @Test
    void byteBoundEvictsTheOldestWriteFirstAndCountsEachEviction() throws Exception {
        StoreTestRecords gen = new StoreTestRecords(12);
        List<CorrelationRecord> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) records.add(gen.traceRecord(BASE + 10L * i, 20));
        long one = InMemoryCorrelationStore.footprint(RecordCodec.toJsonBytes(records.get(0)).length, 5, 6);
        store = new InMemoryCorrelationStore(Duration.ofHours(1), 1_000_000, 3 * one + one / 2, clock::get);
        for (CorrelationRecord r : records) {
            store.put(r);
            clock.incrementAndGet();
        }

        assertThat(store.size()).isEqualTo(3);
        assertThat(store.evictions()).isEqualTo(2);
        assertThat(store.bytes()).isEqualTo(expectedBytes(records)).isLessThanOrEqualTo(store.maxBytes());
        for (CorrelationRecord gone : records.subList(0, 2)) {
            assertThat(await(store.byCorrelationId(gone.correlationId))).isEmpty();
            assertThat(await(store.byTraceId(gone.traceId))).isEmpty();
        }
        Page page = await(store.query(new CorrelationQuery(null, null, null, null, null, 10, null)));
        assertThat(StoreTestRecords.ids(page.items())).containsExactly(records.get(4).correlationId,
                records.get(3).correlationId, records.get(2).correlationId);
        Page byService = await(store.query(new CorrelationQuery("payments", null, null, null, null, 10, null)));
        assertThat(byService.items()).hasSize(3);

        // A rewrite makes a record the newest write: the next eviction takes the one written after it.
        CorrelationRecord again = copyOf(records.get(2));
        again.logCount++;
        store.put(again);
        store.put(gen.traceRecord(BASE + 100, 20));
        assertThat(await(store.byCorrelationId(records.get(2).correlationId))).isPresent();
        assertThat(await(store.byCorrelationId(records.get(3).correlationId))).isEmpty();
        assertThat(store.evictions()).isEqualTo(3);
    }

    @Test
    void byteAccountingMatchesWhatIsStoredAcrossRewritesRejectionsAndExpiry() throws Exception {
        store = new InMemoryCorrelationStore(Duration.ofSeconds(60), 1_000_000, Long.MAX_VALUE, clock::get);
        StoreTestRecords gen = new StoreTestRecords(13);
        List<String> traces = new ArrayList<>();
        for (int i = 0; i < 30; i++) traces.add(gen.traceId());
        Map<String, CorrelationRecord> latest = new HashMap<>();
        Map<String, Boolean> everFailed = new HashMap<>();
        Random random = new Random(13);
        for (int round = 1; round <= 20; round++) {
            List<String> order = new ArrayList<>(traces);
            Collections.shuffle(order, random);
            for (String trace : order) {
                // Growing records (more links each round), some failing for a while: the errors index stays.
                CorrelationRecord r = gen.traceRecord(BASE + traces.indexOf(trace), round);
                r.traceId = trace;
                r.correlationId = CorrelationIds.forTrace(trace);
                r.hasError = round % 7 == trace.charAt(0) % 7;
                everFailed.merge(trace, r.hasError, Boolean::logicalOr);
                assertThat(store.put(r)).isPositive();
                latest.put(trace, r);
                assertThat(store.bytes()).isEqualTo(expectedBytes(latest, everFailed));
                if (random.nextInt(4) == 0) {
                    // A stale write (less progress) is rejected and changes nothing.
                    CorrelationRecord stale = copyOf(r);
                    stale.spanCount--;
                    assertThat(store.put(stale)).isEqualTo(-1);
                    assertThat(store.bytes()).isEqualTo(expectedBytes(latest, everFailed));
                }
            }
            clock.addAndGet(1_000);
        }
        assertThat(store.evictions()).isZero();
        clock.addAndGet(60_000); // every record's TTL ran out
        assertThat(store.bytes()).isZero();
        assertThat(store.size()).isZero();
        assertThat(store.evictions()).as("expired, not evicted").isZero();
    }

    @Test
    void fedMoreThanItCanHoldItStaysWithinItsByteBoundAndServesTheNewest() throws Exception {
        long max = 1 << 20;
        store = new InMemoryCorrelationStore(Duration.ofHours(1), 1_000_000, max, clock::get);
        StoreTestRecords gen = new StoreTestRecords(14);
        List<CorrelationRecord> written = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) { // about 8 MB of records
            CorrelationRecord r = gen.traceRecord(BASE + i, 20);
            store.put(r);
            written.add(r);
            assertThat(store.bytes()).isLessThanOrEqualTo(max);
            clock.incrementAndGet();
        }
        int held = store.size();
        assertThat(held).as("about 1 MiB of ~4 KB records").isBetween(200, 300);
        assertThat(store.evictions()).isEqualTo(written.size() - held);
        assertThat(store.bytes()).isEqualTo(expectedBytes(written)).isGreaterThan(max - 8_000);
        // The newest are served, the oldest are gone.
        for (CorrelationRecord r : written.subList(written.size() - held, written.size())) {
            assertThat(await(store.byTraceId(r.traceId))).isPresent();
        }
        assertThat(await(store.byTraceId(written.get(written.size() - held - 1).traceId))).isEmpty();
        Page newest = await(store.query(new CorrelationQuery(null, null, null, null, null, 3, null)));
        assertThat(StoreTestRecords.ids(newest.items())).containsExactly(written.get(1_999).correlationId,
                written.get(1_998).correlationId, written.get(1_997).correlationId);
    }

    @Test
    void aRecordLargerThanTheWholeBoundIsNotKept() throws Exception {
        store = new InMemoryCorrelationStore(Duration.ofHours(1), 100, 1_000, clock::get);
        CorrelationRecord big = new StoreTestRecords(15).traceRecord(BASE, 20);
        store.put(big);
        assertThat(store.size()).isZero();
        assertThat(store.bytes()).isZero();
        assertThat(store.evictions()).isEqualTo(1);
        assertThat(await(store.byTraceId(big.traceId))).isEmpty();
        assertThat(await(store.query(new CorrelationQuery(null, null, null, null, null, 10, null))).items()).isEmpty();
    }

    @Test
    void theByteBoundIsMemoryStoreMaxBytesOrAQuarterOfTheHeap() {
        assertThat(InMemoryCorrelationStore.maxBytes(0)).isEqualTo(Runtime.getRuntime().maxMemory() / 100 * 25);
        assertThat(InMemoryCorrelationStore.maxBytes(12_345)).isEqualTo(12_345);
        assertThat(InMemoryCorrelationStore.create(Settings.from(Map.of("MEMORY_STORE_MAX_BYTES", "64m"), new String[0]))
                .maxBytes()).isEqualTo(64L << 20);
        assertThat(InMemoryCorrelationStore.create(Settings.from(Map.of(), new String[0])).maxBytes())
                .isEqualTo(Runtime.getRuntime().maxMemory() / 100 * 25);
    }

    /** What the store should count for these records, those of them it holds (all in the time and five service indexes). */
    private long expectedBytes(List<CorrelationRecord> records) throws Exception {
        long sum = 0;
        for (CorrelationRecord r : records) {
            var json = await(store.recordJsonByCorrelationId(r.correlationId));
            if (json.isPresent()) sum += InMemoryCorrelationStore.footprint(json.get().length, r.services.size(), 6);
        }
        return sum;
    }

    private long expectedBytes(Map<String, CorrelationRecord> latest, Map<String, Boolean> everFailed) throws Exception {
        long sum = 0;
        for (CorrelationRecord r : latest.values()) {
            int json = await(store.recordJsonByCorrelationId(r.correlationId)).orElseThrow().length;
            int indexes = 1 + r.services.size() + (everFailed.get(r.traceId) ? 1 : 0);
            sum += InMemoryCorrelationStore.footprint(json, r.services.size(), indexes);
        }
        return sum;
    }

    private static CorrelationRecord copyOf(CorrelationRecord r) {
        return RecordCodec.fromJson(RecordCodec.toJson(r));
    }
}
