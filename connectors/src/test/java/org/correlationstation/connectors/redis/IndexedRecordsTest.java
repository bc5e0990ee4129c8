package org.correlationstation.connectors.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.junit.jupiter.api.Test;

/** When a re-emission may skip its index writes, and when it may not. */
class IndexedRecordsTest {
    private static final long TTL = 60_000;
    private static final long NOW = 1_000_000;

    private final IndexedRecords indexed = new IndexedRecords(3, TTL);

    private static RedisRecordWrite write(CorrelationRecord r) {
        return RedisRecordWrite.of(r);
    }

    /** Whether {@code write}'s index entries are all in place with a score at least as low. */
    private static boolean covers(IndexedRecords indexed, RedisRecordWrite write, List<String> indexKeys, long nowMillis) {
        return indexed.indexedAt(write, indexKeys, nowMillis) >= 0;
    }

    @Test
    void aRecordIndexedWithTheSameKeysAndFirstSeenIsCovered() {
        CorrelationRecord r = TestRecords.record(TestRecords.newTraceId(), 1, "cart");
        assertThat(covers(indexed, write(r), write(r).indexKeys(), NOW)).isFalse();
        indexed.indexed(write(r), write(r).indexKeys(), NOW);

        CorrelationRecord next = TestRecords.copy(r);
        next.spanCount = 5;
        next.version = 2;
        assertThat(covers(indexed, write(next), write(next).indexKeys(), NOW + 1_000)).isTrue();
    }

    @Test
    void aNewServiceAnErrorOrAnEarlierFirstSeenIsNotCovered() {
        CorrelationRecord r = TestRecords.record(TestRecords.newTraceId(), 1, "cart");
        indexed.indexed(write(r), write(r).indexKeys(), NOW);

        CorrelationRecord moreServices = TestRecords.record(r.traceId, 2, "cart", "payments");
        CorrelationRecord failed = TestRecords.record(r.traceId, 2, "cart");
        failed.hasError = true;
        failed.errorSpanCount = 1;
        CorrelationRecord earlier = TestRecords.record(r.traceId, 2, "cart");
        earlier.firstSeen = RecordCodec.formatTime(TestRecords.FIRST_SEEN - 1);
        for (CorrelationRecord other : List.of(moreServices, failed, earlier)) {
            assertThat(covers(indexed, write(other), write(other).indexKeys(), NOW)).isFalse();
        }
    }

    @Test
    void entriesAreTrustedForHalfTheTtlOnly() {
        CorrelationRecord r = TestRecords.record(TestRecords.newTraceId(), 1);
        indexed.indexed(write(r), write(r).indexKeys(), NOW);

        assertThat(covers(indexed, write(r), write(r).indexKeys(), NOW + TTL / 2 - 1)).isTrue();
        assertThat(covers(indexed, write(r), write(r).indexKeys(), NOW + TTL / 2)).isFalse();
    }

    @Test
    void theOldestEntriesGoFirstAndAFailureForgetsAll() {
        List<CorrelationRecord> records = List.of(TestRecords.record(TestRecords.newTraceId(), 1),
                TestRecords.record(TestRecords.newTraceId(), 1), TestRecords.record(TestRecords.newTraceId(), 1),
                TestRecords.record(TestRecords.newTraceId(), 1));
        for (CorrelationRecord r : records) indexed.indexed(write(r), write(r).indexKeys(), NOW);

        assertThat(indexed.size()).isEqualTo(3);
        assertThat(covers(indexed, write(records.get(0)), write(records.get(0)).indexKeys(), NOW)).isFalse();
        assertThat(covers(indexed, write(records.get(3)), write(records.get(3)).indexKeys(), NOW)).isTrue();
        indexed.clear();
        assertThat(covers(indexed, write(records.get(3)), write(records.get(3)).indexKeys(), NOW)).isFalse();
    }

    @Test
    void fingerprintsTellKeyListsApart() {
        assertThat(IndexedRecords.fingerprint(List.of("corr:svc:ab", "corr:svc:c")))
                .isNotEqualTo(IndexedRecords.fingerprint(List.of("corr:svc:a", "corr:svc:bc")))
                .isEqualTo(IndexedRecords.fingerprint(List.of("corr:svc:ab", "corr:svc:c")));
    }
}
