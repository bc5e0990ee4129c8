package org.correlationstation.local.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
        StoreSnapshot snapshot = new StoreSnapshot(dir.resolve("store").resolve("correlations.jsonl"));

        assertThat(snapshot.write(before)).isEqualTo(2);
        InMemoryCorrelationStore after = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        assertThat(snapshot.load(after, TTL, NOW)).isEqualTo(2);

        assertThat(json(after.snapshot())).containsExactlyInAnyOrderElementsOf(json(before.snapshot()));
        assertThat(Files.list(snapshot.file().getParent())).containsExactly(snapshot.file()); // no temp file left
    }

    @Test
    void recordsWhoseTtlRanOutSinceTheirLastUpdateAreNotLoaded() throws Exception {
        InMemoryCorrelationStore before = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        before.put(record("4bf92f3577b34da6a3ce929d0e0e4736", 3, NOW - TTL.toMillis() - 1));
        before.put(record("5bf92f3577b34da6a3ce929d0e0e4737", 7, NOW - TTL.toMillis() + 60_000));
        StoreSnapshot snapshot = new StoreSnapshot(dir.resolve("correlations.jsonl"));
        snapshot.write(before);

        InMemoryCorrelationStore after = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        assertThat(snapshot.load(after, TTL, NOW)).isEqualTo(1);
        assertThat(after.snapshot()).singleElement()
                .satisfies(r -> assertThat(r.traceId).isEqualTo("5bf92f3577b34da6a3ce929d0e0e4737"));
    }

    @Test
    void noSnapshotYetLoadsNothing() throws Exception {
        InMemoryCorrelationStore store = new InMemoryCorrelationStore(TTL, 100, () -> NOW);
        assertThat(new StoreSnapshot(dir.resolve("absent.jsonl")).load(store, TTL, NOW)).isZero();
        assertThat(store.size()).isZero();
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
