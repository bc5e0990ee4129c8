package org.correlationstation.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.api.store.StoreTestRecords.BASE;
import static org.correlationstation.api.store.StoreTestRecords.NEWEST_FIRST;
import static org.correlationstation.api.store.StoreTestRecords.ids;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link CorrelationStore} answers (SPEC §5–6), run against the in-memory store and the
 * Redis store (seeded through the job's own Redis writer). Each test starts with an empty store.
 */
abstract class CorrelationStoreContract {
    /** The store under test, empty. */
    protected abstract CorrelationStore store();

    /** Writes records the way production does (the sink's batch writer for Redis, put() for memory). */
    protected abstract void seed(List<CorrelationRecord> records) throws Exception;

    protected static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(20, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- lookups

    @Test
    void looksUpByTraceIdAndByCorrelationId() throws Exception {
        StoreTestRecords gen = new StoreTestRecords(1);
        CorrelationRecord a = gen.record(BASE, "closed", true, "checkout", "gateway");
        CorrelationRecord b = gen.record(BASE + 5, "open", false, "payments");
        seed(List.of(a, b));

        CorrelationRecord byTrace = await(store().byTraceId(a.traceId)).orElseThrow();
        assertThat(RecordCodec.toJson(byTrace)).isEqualTo(RecordCodec.toJson(a));
        CorrelationRecord byId = await(store().byCorrelationId(b.correlationId)).orElseThrow();
        assertThat(RecordCodec.toJson(byId)).isEqualTo(RecordCodec.toJson(b));

        assertThat(await(store().byTraceId(gen.traceId()))).isEmpty();
        assertThat(await(store().byCorrelationId("00000000-0000-5000-8000-000000000000"))).isEmpty();
        await(store().ping());
    }

    // ---------------------------------------------------------------- filters

    @Test
    void filtersAloneAndCombinedNewestFirst() throws Exception {
        StoreTestRecords gen = new StoreTestRecords(2);
        String[][] serviceSets = {{"checkout"}, {"gateway", "checkout"}, {"payments"}, {"gateway"}};
        List<CorrelationRecord> all = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            long firstSeen = BASE + (i % 30) * 1000L; // four records per first_seen: ties
            all.add(gen.record(firstSeen, i % 3 == 0 ? "closed" : "open", i % 5 == 0, serviceSets[i % 4]));
        }
        seed(all);

        long since = BASE + 7_000;
        long until = BASE + 21_000;
        assertListing(all, q(null, null, null, null, null), r -> true);
        assertListing(all, q("gateway", null, null, null, null), r -> r.services.contains("gateway"));
        assertListing(all, q("nope", null, null, null, null), r -> false);
        assertListing(all, q(null, since, null, null, null), r -> fs(r) >= since);
        assertListing(all, q(null, null, until, null, null), r -> fs(r) < until);
        assertListing(all, q(null, since, until, null, null), r -> fs(r) >= since && fs(r) < until);
        assertListing(all, q(null, since, since, null, null), r -> false);
        assertListing(all, q(null, null, null, "closed", null), r -> r.isClosed());
        assertListing(all, q(null, null, null, "open", null), r -> !r.isClosed());
        assertListing(all, q(null, null, null, null, true), r -> r.hasError);
        assertListing(all, q(null, null, null, null, false), r -> !r.hasError);
        assertListing(all, q("checkout", null, null, null, true), r -> r.services.contains("checkout") && r.hasError);
        assertListing(all, q(null, since, until, "closed", true),
                r -> fs(r) >= since && fs(r) < until && r.isClosed() && r.hasError);
        assertListing(all, q("gateway", since, until, "open", false),
                r -> r.services.contains("gateway") && fs(r) >= since && fs(r) < until && !r.isClosed() && !r.hasError);
    }

    private record Q(String service, Long since, Long until, String status, Boolean hasError) {}

    private static Q q(String service, Long since, Long until, String status, Boolean hasError) {
        return new Q(service, since, until, status, hasError);
    }

    private static long fs(CorrelationRecord r) {
        return RecordCodec.parseTime(r.firstSeen);
    }

    /** One page holding everything, and pages of 7, both exactly the expected records in listing order. */
    private void assertListing(List<CorrelationRecord> all, Q f, Predicate<CorrelationRecord> expected) throws Exception {
        List<String> want = ids(all.stream().filter(expected).sorted(NEWEST_FIRST).toList());
        Page one = await(store().query(new CorrelationQuery(f.service, f.since, f.until, f.status, f.hasError, 1000, null)));
        assertThat(ids(one.items())).as("%s", f).containsExactlyElementsOf(want);
        assertThat(one.next()).as("%s: no more pages", f).isNull();
        assertThat(pageThrough(f.service, f.since, f.until, f.status, f.hasError, 7, () -> {}))
                .as("%s in pages of 7", f).containsExactlyElementsOf(want);
    }

    /** Every id of a listing, page by page; {@code betweenPages} runs after each page. */
    protected List<String> pageThrough(String service, Long since, Long until, String status, Boolean hasError,
            int limit, ThrowingRunnable betweenPages) throws Exception {
        List<String> out = new ArrayList<>();
        Cursor cursor = null;
        int pages = 0;
        do {
            Page page = await(store().query(new CorrelationQuery(service, since, until, status, hasError, limit,
                    cursor == null ? null : Cursor.decode(cursor.encode()))));
            assertThat(page.items().size()).isLessThanOrEqualTo(limit);
            out.addAll(ids(page.items()));
            cursor = page.next();
            betweenPages.run();
            assertThat(++pages).as("pages").isLessThan(10_000);
        } while (cursor != null);
        return out;
    }

    @FunctionalInterface
    protected interface ThrowingRunnable {
        void run() throws Exception;
    }

    // ---------------------------------------------------------------- paging

    @ParameterizedTest(name = "page size {0}")
    @ValueSource(ints = {1, 7, 100, 1000})
    void pagesThrough2500RecordsWithTiesWithoutDuplicatesOrGaps(int pageSize) throws Exception {
        StoreTestRecords gen = new StoreTestRecords(3);
        List<CorrelationRecord> all = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            // 37 distinct first_seen values: ~68 records share each one.
            all.add(gen.record(BASE + (i % 37) * 250L, i % 2 == 0 ? "open" : "closed", i % 11 == 0,
                    i % 3 == 0 ? new String[] {"gateway", "checkout"} : new String[] {"checkout"}));
        }
        seed(all);
        List<String> want = ids(all.stream().sorted(NEWEST_FIRST).toList());
        List<String> got = pageThrough(null, null, null, null, null, pageSize, () -> {});
        assertThat(got).containsExactlyElementsOf(want);

        // Through a service index too, with a filter (walks past non-matching entries).
        List<String> wantGateway = ids(all.stream()
                .filter(r -> r.services.contains("gateway") && r.isClosed()).sorted(NEWEST_FIRST).toList());
        assertThat(pageThrough("gateway", null, null, "closed", null, pageSize, () -> {}))
                .containsExactlyElementsOf(wantGateway);
    }

    @Test
    void pagesThroughOneHugeGroupOfEqualFirstSeen() throws Exception {
        StoreTestRecords gen = new StoreTestRecords(4);
        List<CorrelationRecord> all = new ArrayList<>();
        for (int i = 0; i < 1500; i++) all.add(gen.record(BASE, "open", false, "checkout"));
        for (int i = 0; i < 20; i++) all.add(gen.record(BASE - 1 - i, "open", false, "checkout"));
        seed(all);
        List<String> want = ids(all.stream().sorted(NEWEST_FIRST).toList());
        for (int pageSize : new int[] {7, 1000}) {
            assertThat(pageThrough(null, null, null, null, null, pageSize, () -> {}))
                    .as("page size %d", pageSize).containsExactlyElementsOf(want);
        }
    }

    @ParameterizedTest(name = "page size {0}")
    @ValueSource(ints = {7, 100})
    void cursorIsStableUnderConcurrentWrites(int pageSize) throws Exception {
        StoreTestRecords gen = new StoreTestRecords(5);
        List<CorrelationRecord> initial = new ArrayList<>();
        for (int i = 0; i < 1000; i++) initial.add(gen.record(BASE + (i % 25) * 100L, "open", false, "checkout"));
        seed(initial);

        // 200 more while paging: newer, older and equal first_seen (ties with existing records).
        List<CorrelationRecord> later = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long firstSeen = switch (i % 3) {
                case 0 -> BASE + 10_000 + i;
                case 1 -> BASE - 10_000 - i;
                default -> BASE + (i % 25) * 100L;
            };
            later.add(gen.record(firstSeen, "open", false, "checkout"));
        }
        int[] written = {0};
        List<String> got = pageThrough(null, null, null, null, null, pageSize, () -> {
            int n = Math.min(later.size() - written[0], 20);
            if (n > 0) {
                seed(later.subList(written[0], written[0] + n));
                written[0] += n;
            }
        });
        assertThat(written[0]).isEqualTo(200);
        Map<String, Integer> seen = new HashMap<>();
        for (String id : got) seen.merge(id, 1, Integer::sum);
        assertThat(seen.values()).as("no duplicates").allMatch(n -> n == 1);
        Set<String> missing = new HashSet<>(ids(initial));
        missing.removeAll(seen.keySet());
        assertThat(missing).as("records that existed when paging began").isEmpty();
        // The order holds across pages, whatever was written meanwhile.
        List<CorrelationRecord> all = new ArrayList<>(initial);
        all.addAll(later);
        Map<String, CorrelationRecord> byId = new HashMap<>();
        for (CorrelationRecord r : all) byId.put(r.correlationId, r);
        List<CorrelationRecord> inOrder = got.stream().map(byId::get).toList();
        assertThat(inOrder).isSortedAccordingTo(NEWEST_FIRST);
    }

    @Test
    void sparseFilterStopsAtTheScanBoundWithACursorAndStillFindsEverything() throws Exception {
        StoreTestRecords gen = new StoreTestRecords(6);
        List<CorrelationRecord> all = new ArrayList<>();
        for (int i = 0; i < 1200; i++) all.add(gen.record(BASE + i, i == 50 || i == 1150 ? "closed" : "open", false));
        seed(all);
        // limit 1: at most max(1000, 50 × 1) entries are examined per call. The first call finds 1150,
        // looks for one more down to 200 and stops there with a cursor; the second finds 50.
        Page first = await(store().query(new CorrelationQuery(null, null, null, "closed", null, 1, null)));
        assertThat(ids(first.items())).containsExactly(all.get(1150).correlationId);
        assertThat(first.next()).isEqualTo(new Cursor(BASE + 200, all.get(200).correlationId));
        Page second = await(store().query(new CorrelationQuery(null, null, null, "closed", null, 1, first.next())));
        assertThat(ids(second.items())).containsExactly(all.get(50).correlationId);
        assertThat(second.next()).isNull();
    }

    @Test
    void rejectsAMalformedCursor() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Cursor.decode("bm9wZQ"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
