package org.correlationstation.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.api.store.StoreTestRecords.BASE;

import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.junit.jupiter.api.Test;

/**
 * The heap the in-memory store really takes per record, measured as used heap after a full GC
 * (issue 22 item 7): its byte bound counts an estimate of it, which must be close, and a record must
 * take a fraction of what it took decoded (the store kept a decoded record and its JSON before).
 */
class InMemoryCorrelationStoreFootprintTest {
    private static final int RECORDS = 20_000;

    @Test
    void theByteBoundsEstimateIsTheHeapTheRecordsTakeAndAFractionOfTheirDecodedForm() {
        StoreTestRecords gen = new StoreTestRecords(21);
        // Measured as the growth from RECORDS to twice as many: what the JVM allocates once (class
        // initialisation, the codec's caches, the maps' first tables) is not the records'.
        InMemoryCorrelationStore store = new InMemoryCorrelationStore(Duration.ofHours(1), 2 * RECORDS, Long.MAX_VALUE,
                () -> BASE);
        for (int i = 0; i < RECORDS; i++) store.put(gen.traceRecord(BASE + i, 20));
        long before = usedHeapAfterGc();
        long bytesBefore = store.bytes();
        for (int i = RECORDS; i < 2 * RECORDS; i++) store.put(gen.traceRecord(BASE + i, 20));
        double measured = (usedHeapAfterGc() - before) / (double) RECORDS;
        double estimated = (store.bytes() - bytesBefore) / (double) RECORDS;

        // What the store kept before: the record decoded and its JSON as a string.
        List<CorrelationRecord> decoded = new ArrayList<>(2 * RECORDS);
        List<String> strings = new ArrayList<>(2 * RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            decoded.add(gen.traceRecord(BASE + i, 20));
            strings.add(RecordCodec.toJson(decoded.get(i)));
        }
        before = usedHeapAfterGc();
        for (int i = RECORDS; i < 2 * RECORDS; i++) {
            decoded.add(gen.traceRecord(BASE + i, 20));
            strings.add(RecordCodec.toJson(decoded.get(i)));
        }
        double decodedEach = (usedHeapAfterGc() - before) / (double) RECORDS;
        int json = strings.get(0).length();

        System.out.printf("in-memory store, records of 20-span traces (JSON %d bytes): %.0f bytes of heap per "
                + "record, estimated %.0f; the record decoded with its JSON string: %.0f bytes%n", json,
                measured, estimated, decodedEach);
        assertThat(store.size()).isEqualTo(2 * RECORDS);
        assertThat(estimated).as("the estimate the byte bound counts, against the measured heap")
                .isBetween(0.9 * measured, 1.1 * measured);
        assertThat(measured).as("a stored record against the same record decoded, with its JSON")
                .isLessThan(0.5 * decodedEach);
        Reference.reachabilityFence(store);
        Reference.reachabilityFence(decoded);
        Reference.reachabilityFence(strings);
    }

    /** Used heap once the garbage is gone: System.gc() is a full collection in the collectors the build uses. */
    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
