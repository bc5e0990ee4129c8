package org.correlationstation.core.graph;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Span durations in logarithmic buckets (as DDSketch does, with a fixed base): bucket {@code i} holds
 * the durations in {@code (γ^(i-1), γ^i]} milliseconds with {@code γ = 2^(1/8)}, so a quantile read from
 * its bucket's midpoint {@code 2γ^i/(γ+1)} is within {@link #RELATIVE_ERROR} (4.3%) of the true one.
 * Durations below one microsecond share bucket {@link #ZERO} and read as 0. Buckets are counts: two
 * histograms merge by adding them, exactly, in any order, which is what makes the service graph's
 * figures the same after a restore or a rescale as in one uninterrupted run.
 *
 * <p>Sparse: only buckets with counts are kept (sorted indexes and their counts); a service pair's
 * spans usually fall into a few dozen buckets.
 */
public final class DurationHistogram implements Serializable {
    private static final long serialVersionUID = 1L;

    /** {@code γ}: each bucket's upper bound over its lower bound. */
    public static final double GAMMA = Math.pow(2, 1.0 / 8);
    /** {@code (γ-1)/(γ+1)}: the largest relative error of a quantile read from a bucket's midpoint. */
    public static final double RELATIVE_ERROR = (GAMMA - 1) / (GAMMA + 1);
    /** The bucket of durations below {@link #MIN_MS} (and of zero). */
    public static final int ZERO = Integer.MIN_VALUE;
    static final double MIN_MS = 0.001;
    private static final double LOG_GAMMA = Math.log(GAMMA);

    private int[] buckets;
    private long[] counts;
    private int size;

    public DurationHistogram() {
        this(new int[4], new long[4], 0);
    }

    private DurationHistogram(int[] buckets, long[] counts, int size) {
        this.buckets = buckets;
        this.counts = counts;
        this.size = size;
    }

    /** The histogram with {@code counts[i]} durations in bucket {@code buckets[i]} (buckets ascending, no repeats). */
    public static DurationHistogram of(int[] buckets, long[] counts) {
        if (buckets.length != counts.length) throw new IllegalArgumentException("buckets and counts differ in length");
        for (int i = 1; i < buckets.length; i++) {
            if (buckets[i] <= buckets[i - 1]) throw new IllegalArgumentException("buckets not ascending at " + i);
        }
        return new DurationHistogram(buckets.clone(), counts.clone(), buckets.length);
    }

    /** The bucket a duration in milliseconds falls into. */
    public static int bucketOf(double ms) {
        if (!(ms >= MIN_MS)) return ZERO; // also NaN
        return (int) Math.ceil(Math.log(ms) / LOG_GAMMA - 1e-9);
    }

    /** The duration a bucket stands for: its midpoint in the sense of the relative error. */
    public static double valueOf(int bucket) {
        if (bucket == ZERO) return 0;
        return 2 * Math.pow(GAMMA, bucket) / (GAMMA + 1);
    }

    public void add(double ms) {
        add(bucketOf(ms), 1);
    }

    public void add(int bucket, long n) {
        int at = Arrays.binarySearch(buckets, 0, size, bucket);
        if (at >= 0) {
            counts[at] += n;
            return;
        }
        int insert = -at - 1;
        if (size == buckets.length) { // at least 4: of() and merge() may leave arrays of length 0
            buckets = Arrays.copyOf(buckets, Math.max(4, size * 2));
            counts = Arrays.copyOf(counts, Math.max(4, size * 2));
        }
        System.arraycopy(buckets, insert, buckets, insert + 1, size - insert);
        System.arraycopy(counts, insert, counts, insert + 1, size - insert);
        buckets[insert] = bucket;
        counts[insert] = n;
        size++;
    }

    /**
     * Adds {@code other}'s counts. Both are sorted, so this is one linear pass (the API sums thousands
     * of histograms per request; one {@link #add} per bucket cost a binary search each): in place when
     * this one already has every bucket of {@code other}, as it soon does when summing many of them.
     */
    public void merge(DurationHistogram other) {
        int missing = 0;
        for (int i = 0, j = 0; j < other.size; ) {
            if (i == size || other.buckets[j] < buckets[i]) {
                missing++;
                j++;
            } else if (buckets[i] < other.buckets[j]) {
                i++;
            } else {
                i++;
                j++;
            }
        }
        if (missing == 0) {
            for (int i = 0, j = 0; j < other.size; i++) {
                if (buckets[i] == other.buckets[j]) counts[i] += other.counts[j++];
            }
            return;
        }
        int[] b = new int[size + missing];
        long[] n = new long[size + missing];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < size || j < other.size) {
            if (j == other.size || (i < size && buckets[i] < other.buckets[j])) {
                b[k] = buckets[i];
                n[k++] = counts[i++];
            } else if (i == size || other.buckets[j] < buckets[i]) {
                b[k] = other.buckets[j];
                n[k++] = other.counts[j++];
            } else {
                b[k] = buckets[i];
                n[k++] = counts[i++] + other.counts[j++];
            }
        }
        buckets = b;
        counts = n;
        size = k;
    }

    public long count() {
        long n = 0;
        for (int i = 0; i < size; i++) n += counts[i];
        return n;
    }

    /**
     * The {@code q}-quantile (0 < q ≤ 1) by nearest rank: the value of the bucket holding the
     * {@code ceil(q·n)}-th smallest duration; NaN when empty.
     */
    public double quantile(double q) {
        long n = count();
        if (n == 0) return Double.NaN;
        long rank = Math.max(1, (long) Math.ceil(q * n));
        long seen = 0;
        for (int i = 0; i < size; i++) {
            seen += counts[i];
            if (seen >= rank) return valueOf(buckets[i]);
        }
        return valueOf(buckets[size - 1]);
    }

    /**
     * The durations at or below {@code ms}, by their buckets' values: a bucket that straddles {@code ms}
     * counts when its value does (so within the histogram's relative error of {@code ms}).
     */
    public long countAtMost(double ms) {
        long n = 0;
        for (int i = 0; i < size && valueOf(buckets[i]) <= ms; i++) n += counts[i];
        return n;
    }

    public int[] buckets() {
        return Arrays.copyOf(buckets, size);
    }

    public long[] counts() {
        return Arrays.copyOf(counts, size);
    }

    public int size() {
        return size;
    }

    public DurationHistogram copy() {
        return new DurationHistogram(Arrays.copyOf(buckets, Math.max(4, size)), Arrays.copyOf(counts, Math.max(4, size)), size);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DurationHistogram h && Arrays.equals(buckets(), h.buckets()) && Arrays.equals(counts(), h.counts());
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(buckets()) + Arrays.hashCode(counts());
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < size; i++) b.append(i == 0 ? "" : ", ").append(buckets[i]).append(':').append(counts[i]);
        return b.append('}').toString();
    }
}
