package org.correlationstation.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.api.store.StoreTestRecords.BASE;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;

/**
 * The heap the in-memory store really takes per record (issue 22 item 7): its byte bound counts an
 * estimate of it, which must be close, and a record must take a fraction of what it took decoded (the
 * store kept a decoded record and its JSON before). Measured as the size of the object graphs (JOL),
 * not as used heap after a full GC: that moved by tens of megabytes with what earlier tests' threads
 * still held or let go in the same JVM, and failed CI twice.
 */
class InMemoryCorrelationStoreFootprintTest {
    private static final int RECORDS = 2_000;

    static {
        // JOL reads records' field offsets this way on Java 17 (Unsafe refuses them for record classes).
        System.setProperty("jol.magicFieldOffset", "true");
    }

    @Test
    void theByteBoundsEstimateIsTheHeapTheRecordsTakeAndAFractionOfTheirDecodedForm() {
        StoreTestRecords gen = new StoreTestRecords(21);
        // Measured as the growth from RECORDS to twice as many: what the JVM allocates once (class
        // initialisation, the codec's caches, the maps' first tables) is not the records'.
        InMemoryCorrelationStore store = new InMemoryCorrelationStore(Duration.ofHours(1), 2 * RECORDS, Long.MAX_VALUE,
                () -> BASE);
        for (int i = 0; i < RECORDS; i++) store.put(gen.traceRecord(BASE + i, 20));
        long before = heapOf(store);
        long bytesBefore = store.bytes();
        for (int i = RECORDS; i < 2 * RECORDS; i++) store.put(gen.traceRecord(BASE + i, 20));
        double measured = (heapOf(store) - before) / (double) RECORDS;
        double estimated = (store.bytes() - bytesBefore) / (double) RECORDS;

        // What the store kept before: the record decoded and its JSON as a string.
        List<CorrelationRecord> decoded = new ArrayList<>(2 * RECORDS);
        List<String> strings = new ArrayList<>(2 * RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            decoded.add(gen.traceRecord(BASE + i, 20));
            strings.add(RecordCodec.toJson(decoded.get(i)));
        }
        before = heapOf(decoded, strings);
        for (int i = RECORDS; i < 2 * RECORDS; i++) {
            decoded.add(gen.traceRecord(BASE + i, 20));
            strings.add(RecordCodec.toJson(decoded.get(i)));
        }
        double decodedEach = (heapOf(decoded, strings) - before) / (double) RECORDS;
        int json = strings.get(0).length();

        System.out.printf("in-memory store, records of 20-span traces (JSON %d bytes): %.0f bytes of heap per "
                + "record, estimated %.0f; the record decoded with its JSON string: %.0f bytes%n", json,
                measured, estimated, decodedEach);
        assertThat(store.size()).isEqualTo(2 * RECORDS);
        assertThat(estimated).as("the estimate the byte bound counts, against the measured heap")
                .isBetween(0.9 * measured, 1.1 * measured);
        assertThat(measured).as("a stored record against the same record decoded, with its JSON")
                .isLessThan(0.5 * decodedEach);
    }

    /** Bytes of every object reachable from the roots, each counted once. */
    private static long heapOf(Object... roots) {
        return GraphLayout.parseInstance(roots).totalSize();
    }
}
