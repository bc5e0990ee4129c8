package org.correlationstation.local.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.correlationstation.api.store.InMemoryCorrelationStore;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreSnapshotTest {
    private static final Duration TTL = Duration.ofHours(1);
    private static final long NOW = 1_795_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void recordsSurviveAWriteAndLoadAsTheyWereStored() throws Exception {
        InMemoryCorrelationStore before = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        before.put(record("4bf92f3577b34da6a3ce929d0e0e4736", 3, NOW - 1000));
        before.put(record("5bf92f3577b34da6a3ce929d0e0e4737", 7, NOW - 2000));
        StoreSnapshot snapshot = new StoreSnapshot(dir.resolve("store"));

        assertThat(snapshot.write(before)).isEqualTo(2);
        InMemoryCorrelationStore after = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        assertThat(new StoreSnapshot(dir.resolve("store")).load(after, TTL, NOW)).isEqualTo(2);

        assertThat(json(after.snapshot())).containsExactlyInAnyOrderElementsOf(json(before.snapshot()));
        assertThat(files()).containsExactly(snapshot.base(0)); // no temp file left
    }

    @Test
    void recordsWhoseTtlRanOutSinceTheirLastUpdateAreNotLoaded() throws Exception {
        InMemoryCorrelationStore before = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        before.put(record("4bf92f3577b34da6a3ce929d0e0e4736", 3, NOW - TTL.toMillis() - 1));
        before.put(record("5bf92f3577b34da6a3ce929d0e0e4737", 7, NOW - TTL.toMillis() + 60_000));
        StoreSnapshot snapshot = new StoreSnapshot(dir);
        snapshot.write(before);

        InMemoryCorrelationStore after = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        assertThat(snapshot.load(after, TTL, NOW)).isEqualTo(1);
        assertThat(after.snapshot()).singleElement()
                .satisfies(r -> assertThat(r.traceId).isEqualTo("5bf92f3577b34da6a3ce929d0e0e4737"));
    }

    @Test
    void noSnapshotYetLoadsNothing() throws Exception {
        InMemoryCorrelationStore store = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        assertThat(new StoreSnapshot(dir.resolve("absent")).load(store, TTL, NOW)).isZero();
        assertThat(store.size()).isZero();
    }

    @Test
    void checkpointsAppendWhatChangedAndALoadReadsTheBaseThenTheJournal() throws Exception {
        InMemoryCorrelationStore store = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        StoreSnapshot snapshot = new StoreSnapshot(dir);
        snapshot.load(store, TTL, NOW);
        store.put(record(A, 3, NOW - 1000));
        store.put(record(B, 7, NOW - 1000));
        assertThat(snapshot.append(store.snapshotJson(List.of(CorrelationIds.forTrace(A))), store))
                .as("nothing on disk yet: the whole store").isEqualTo(2);
        store.put(record(A, 4, NOW - 500));
        store.put(record(C, 1, NOW - 500));
        assertThat(snapshot.append(store.snapshotJson(List.of(CorrelationIds.forTrace(A), CorrelationIds.forTrace(C))), store))
                .isEqualTo(2);
        assertThat(files()).containsExactlyInAnyOrder(snapshot.base(0), snapshot.journal(0));
        assertThat(Files.readAllLines(snapshot.journal(0))).hasSize(2);

        InMemoryCorrelationStore after = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        assertThat(new StoreSnapshot(dir).load(after, TTL, NOW)).as("A from the journal over A from the base").isEqualTo(3);
        assertThat(json(after.snapshot())).containsExactlyInAnyOrderElementsOf(json(store.snapshot()));
    }

    @Test
    void aJournalAsLargeAsItsBaseBecomesTheNextBase() throws Exception {
        InMemoryCorrelationStore store = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        StoreSnapshot snapshot = new StoreSnapshot(dir);
        store.put(record(A, 1, NOW - 1000));
        snapshot.write(store);
        long appended = 0;
        int spans = 1;
        while (appended <= StoreSnapshot.MIN_JOURNAL_BYTES_TO_COMPACT) {
            store.put(record(A, ++spans, NOW - 1000));
            List<byte[]> changed = store.snapshotJson(List.of(CorrelationIds.forTrace(A)));
            snapshot.append(changed, store);
            appended += changed.get(0).length + 1;
        }
        // The append that would have passed the bound wrote the store instead, as generation 1.
        assertThat(files()).containsExactly(snapshot.base(1));
        assertThat(Files.readAllLines(snapshot.base(1))).hasSize(1);
        InMemoryCorrelationStore after = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        new StoreSnapshot(dir).load(after, TTL, NOW);
        assertThat(json(after.snapshot())).containsExactlyElementsOf(json(store.snapshot()));
    }

    @Test
    void aPartialLastLineIsSkippedAndCutOffByTheNextAppend() throws Exception {
        InMemoryCorrelationStore store = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        StoreSnapshot snapshot = new StoreSnapshot(dir);
        store.put(record(A, 3, NOW - 1000));
        snapshot.write(store);
        store.put(record(B, 5, NOW - 1000));
        snapshot.append(store.snapshotJson(List.of(CorrelationIds.forTrace(B))), store);
        byte[] partial = Arrays.copyOf(RecordCodec.toJsonBytes(record(C, 9, NOW - 1000)), 40); // a crash mid-append
        Files.write(snapshot.journal(0), partial, StandardOpenOption.APPEND);

        InMemoryCorrelationStore after = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        StoreSnapshot reopened = new StoreSnapshot(dir);
        assertThat(reopened.load(after, TTL, NOW)).isEqualTo(2);
        assertThat(json(after.snapshot())).containsExactlyInAnyOrderElementsOf(json(store.snapshot()));

        after.put(record(C, 9, NOW - 1000));
        reopened.append(after.snapshotJson(List.of(CorrelationIds.forTrace(C))), after);
        InMemoryCorrelationStore again = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        assertThat(new StoreSnapshot(dir).load(again, TTL, NOW)).isEqualTo(3);
        assertThat(json(again.snapshot())).containsExactlyInAnyOrderElementsOf(json(after.snapshot()));
    }

    @Test
    void theWholeFileOfEarlierReleasesLoadsAndIsReplacedByTheFirstAppend() throws Exception {
        InMemoryCorrelationStore before = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        before.put(record(A, 3, NOW - 1000));
        Files.write(dir.resolve(StoreSnapshot.UNVERSIONED_BASE), before.snapshotJson().get(0));

        InMemoryCorrelationStore store = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        StoreSnapshot snapshot = new StoreSnapshot(dir);
        assertThat(snapshot.load(store, TTL, NOW)).isEqualTo(1);
        store.put(record(B, 1, NOW - 1000));
        assertThat(snapshot.append(store.snapshotJson(List.of(CorrelationIds.forTrace(B))), store)).isEqualTo(2);
        assertThat(files()).containsExactly(snapshot.base(0));
    }

    @Test
    void aCrashAfterANewBaseWasRenamedIntoPlaceLoadsTheNewBaseAlone() throws Exception {
        InMemoryCorrelationStore store = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        StoreSnapshot snapshot = new StoreSnapshot(dir);
        store.put(record(A, 1, NOW - 1000));
        snapshot.write(store);
        store.put(record(A, 2, NOW - 1000));
        snapshot.append(store.snapshotJson(List.of(CorrelationIds.forTrace(A))), store);
        // Generation 1 written, the process gone before it deleted generation 0's files: both there.
        store.put(record(B, 5, NOW - 1000));
        Files.write(snapshot.base(1), (String.join("\n", json(store.snapshot())) + "\n").getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("correlations-1.jsonl.tmp"), "{\"half a".getBytes(StandardCharsets.UTF_8));

        InMemoryCorrelationStore after = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        StoreSnapshot reopened = new StoreSnapshot(dir);
        assertThat(reopened.load(after, TTL, NOW)).isEqualTo(2);
        assertThat(json(after.snapshot())).containsExactlyInAnyOrderElementsOf(json(store.snapshot()));
        reopened.write(after);
        assertThat(files()).as("the older generations and the left-over temp file are gone").containsExactly(snapshot.base(2));
    }

    @Test
    void aWriterAFailoverCreatesStillAddsWhatTheFailedOnePutAfterTheLastCheckpoint() throws Exception {
        InMemoryCorrelationStore store = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        StoreSnapshot snapshot = new StoreSnapshot(dir);
        String name = "failover-" + System.nanoTime();
        LocalStores.register(name, store, snapshot);
        try {
            MemoryStoreSink sink = new MemoryStoreSink(name);
            SinkWriter<CorrelationRecord> failed = sink.createWriter(null);
            failed.write(record(A, 3, NOW - 1000), null);
            failed.flush(false); // checkpoint N
            failed.write(record(A, 5, NOW - 500), null); // then the task fails before checkpoint N + 1

            SinkWriter<CorrelationRecord> next = sink.createWriter(null);
            next.write(record(A, 4, NOW - 800), null); // the replay from N: less advanced, rejected by the store
            next.flush(false); // checkpoint N + 1

            InMemoryCorrelationStore after = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
            new StoreSnapshot(dir).load(after, TTL, NOW);
            assertThat(after.snapshot()).singleElement().satisfies(r -> assertThat(r.spanCount).isEqualTo(5));
        } finally {
            LocalStores.unregister(name);
        }
    }

    private static final String A = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String B = "5bf92f3577b34da6a3ce929d0e0e4737";
    private static final String C = "6bf92f3577b34da6a3ce929d0e0e4738";

    private List<Path> files() throws Exception {
        Path store = Files.isDirectory(dir.resolve("store")) ? dir.resolve("store") : dir;
        try (var list = Files.list(store)) {
            return list.filter(Files::isRegularFile).toList();
        }
    }

    private static List<String> json(List<CorrelationRecord> records) {
        return records.stream().map(RecordCodec::toJson).toList();
    }

    private static CorrelationRecord record(String traceId, long spans, long updatedAt) {
        CorrelationRecord r = new CorrelationRecord();
        r.traceId = traceId;
        r.correlationId = CorrelationIds.forTrace(traceId);
        r.version = 1;
        r.firstSeen = RecordCodec.formatTime(updatedAt - 5000);
        r.lastSeen = RecordCodec.formatTime(updatedAt - 4000);
        r.durationMs = 1000;
        r.services = List.of("checkout");
        r.service = "checkout";
        r.root = new CorrelationRecord.Root("checkout", "GET /checkout", "00f067aa0ba902b7");
        r.env = "test";
        r.spanCount = spans;
        r.maxSeverity = "INFO";
        r.updatedAt = RecordCodec.formatTime(updatedAt);
        return r;
    }
}
