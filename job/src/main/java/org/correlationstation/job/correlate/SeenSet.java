package org.correlationstation.job.correlate;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * What a trace has already tracked (span ids, log fingerprints) as one sorted {@code long[]} state value,
 * plus what the current batch adds: duplicate checks cost one state read and one write per batch
 * instead of a RocksDB lookup and a write per event (lookups of absent keys were a fifth of the
 * correlator's time).
 */
final class SeenSet {
    static final long[] EMPTY = new long[0];
    /** Beyond this many additions a batch checks its own additions through a hash set. */
    private static final int LINEAR_LIMIT = 16;

    private final long[] stored;
    private long[] added = new long[8];
    private int size;
    private Set<Long> addedIndex;

    SeenSet(long[] stored) {
        this.stored = stored == null ? EMPTY : stored;
    }

    boolean contains(long value) {
        if (stored.length > 0 && Arrays.binarySearch(stored, value) >= 0) return true;
        if (addedIndex != null) return addedIndex.contains(value);
        for (int i = 0; i < size; i++) {
            if (added[i] == value) return true;
        }
        return false;
    }

    /** Adds a value that {@link #contains} just denied. */
    void add(long value) {
        if (size == added.length) added = Arrays.copyOf(added, size * 2);
        added[size++] = value;
        if (addedIndex != null) {
            addedIndex.add(value);
        } else if (size > LINEAR_LIMIT) {
            addedIndex = new HashSet<>(size * 4);
            for (int i = 0; i < size; i++) addedIndex.add(added[i]);
        }
    }

    boolean changed() {
        return size > 0;
    }

    /** The stored values and the batch's additions, sorted: the new state value. */
    long[] merged() {
        long[] extra = Arrays.copyOf(added, size);
        Arrays.sort(extra);
        long[] out = new long[stored.length + extra.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < stored.length && j < extra.length) out[k++] = stored[i] < extra[j] ? stored[i++] : extra[j++];
        while (i < stored.length) out[k++] = stored[i++];
        while (j < extra.length) out[k++] = extra[j++];
        return out;
    }
}
