package org.correlationstation.core.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Percentage.withPercentage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The histogram's error bound, its exact merge, and quantiles by nearest rank. */
class DurationHistogramTest {
    private static final double ONE_MICROSECOND = 0.001;
    private static final double ONE_HOUR = 3_600_000;
    /**
     * {@code bucketOf} counts a value within 1e-9 (in units of log γ) above a bucket's upper bound as
     * on it, so that {@code γ^i} computed in floating point lands in bucket {@code i}; such a value
     * is off by up to about 1e-10 relative more than {@link DurationHistogram#RELATIVE_ERROR}.
     */
    private static final double SLACK = 1 + 1e-9;

    @Test
    void everyDurationFromOneMicrosecondToOneHourReadsBackWithinTheRelativeError() {
        List<Double> values = new ArrayList<>();
        // A geometric sweep that lands at many places inside buckets...
        int steps = 200_000;
        double ratio = Math.pow(ONE_HOUR / ONE_MICROSECOND, 1.0 / steps);
        for (int k = 0; k <= steps; k++) values.add(ONE_MICROSECOND * Math.pow(ratio, k));
        // ...and every bucket's bounds and their floating-point neighbours, where the error is largest.
        for (int i = DurationHistogram.bucketOf(ONE_MICROSECOND) - 1; i <= DurationHistogram.bucketOf(ONE_HOUR); i++) {
            double bound = Math.pow(DurationHistogram.GAMMA, i);
            values.addAll(List.of(bound, Math.nextUp(bound), Math.nextDown(bound)));
        }
        int checked = 0;
        for (double x : values) {
            if (x < ONE_MICROSECOND || x > ONE_HOUR) continue;
            double read = DurationHistogram.valueOf(DurationHistogram.bucketOf(x));
            assertThat(Math.abs(read - x)).as("%s ms read as %s", x, read)
                    .isLessThanOrEqualTo(DurationHistogram.RELATIVE_ERROR * x * SLACK);
            checked++;
        }
        assertThat(checked).isGreaterThan(steps);
        assertThat(DurationHistogram.RELATIVE_ERROR).isBetween(0.043, 0.0434);
    }

    @Test
    void bucketsGrowWithTheDurationAndSubMicrosecondsReadAsZero() {
        int previous = DurationHistogram.bucketOf(ONE_MICROSECOND);
        for (double x = ONE_MICROSECOND; x <= ONE_HOUR; x *= 1.01) {
            int b = DurationHistogram.bucketOf(x);
            assertThat(b).isGreaterThanOrEqualTo(previous);
            previous = b;
        }
        for (double below : new double[] {0, 0.0009, -5, Double.NaN}) {
            assertThat(DurationHistogram.bucketOf(below)).as("%s", below).isEqualTo(DurationHistogram.ZERO);
        }
        assertThat(DurationHistogram.valueOf(DurationHistogram.ZERO)).isZero();
    }

    @Test
    void mergeIsExactAndIndependentOfOrder() {
        SplittableRandom random = new SplittableRandom(7);
        double[][] parts = new double[3][];
        for (int p = 0; p < parts.length; p++) {
            parts[p] = new double[500 + 300 * p];
            for (int i = 0; i < parts[p].length; i++) parts[p][i] = Math.exp(random.nextDouble(-8, 15)); // ~0.3 µs – 900 s
        }
        DurationHistogram all = new DurationHistogram();
        for (double[] part : parts) for (double x : part) all.add(x);

        int[][] orders = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        for (int[] order : orders) {
            DurationHistogram merged = new DurationHistogram();
            for (int p : order) merged.merge(of(parts[p]));
            assertThat(merged).as(Arrays.toString(order)).isEqualTo(all);
            assertThat(merged.count()).isEqualTo(500 + 800 + 1100);
        }
        // Merging into a non-empty histogram, and a merge does not change its argument.
        DurationHistogram a = of(parts[0]);
        DurationHistogram b = of(parts[1]);
        DurationHistogram bBefore = b.copy();
        a.merge(b);
        assertThat(b).isEqualTo(bBefore);
        DurationHistogram c = of(parts[1]);
        c.merge(of(parts[0]));
        assertThat(a).isEqualTo(c);
        // Merging what it already has every bucket of (in place), and itself.
        DurationHistogram twice = of(parts[2]);
        twice.merge(of(parts[2]));
        DurationHistogram self = of(parts[2]);
        self.merge(self);
        assertThat(self).isEqualTo(twice);
        assertThat(self.count()).isEqualTo(2 * parts[2].length);
    }

    @Test
    void anEmptyHistogramFromItsArraysStillGrows() {
        DurationHistogram h = DurationHistogram.of(new int[0], new long[0]);
        for (double x : new double[] {5, 1, 3, 2, 4}) h.add(x);
        assertThat(h.count()).isEqualTo(5);
        assertThat(h.buckets()).isSorted();
        DurationHistogram merged = DurationHistogram.of(new int[0], new long[0]);
        merged.merge(h);
        merged.add(6.0);
        assertThat(merged.count()).isEqualTo(6);
    }

    @Test
    void quantileIsTheBucketOfTheNearestRank() {
        SplittableRandom random = new SplittableRandom(11);
        double[] values = new double[1000];
        for (int i = 0; i < values.length; i++) values[i] = Math.exp(random.nextDouble(-3, 9)); // 0.05 ms – 8 s
        DurationHistogram h = of(values);
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        for (double q : new double[] {0.001, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
            double exact = sorted[(int) Math.ceil(q * sorted.length) - 1]; // the nearest-rank quantile
            assertThat(h.quantile(q)).as("q=%s", q)
                    .isEqualTo(DurationHistogram.valueOf(DurationHistogram.bucketOf(exact)));
            assertThat(Math.abs(h.quantile(q) - exact)).isLessThanOrEqualTo(DurationHistogram.RELATIVE_ERROR * exact * SLACK);
        }
        // Ranks on the counts: ten values of 1 ms and one of 1 s: p50 and p90 are 1 ms, p95 is 1 s.
        DurationHistogram skewed = new DurationHistogram();
        for (int i = 0; i < 10; i++) skewed.add(1.0);
        skewed.add(1000.0);
        assertThat(skewed.quantile(0.5)).isCloseTo(1.0, withPercentage(4.4));
        assertThat(skewed.quantile(0.9)).isCloseTo(1.0, withPercentage(4.4));
        assertThat(skewed.quantile(0.95)).isCloseTo(1000.0, withPercentage(4.4));
        assertThat(new DurationHistogram().quantile(0.5)).isNaN();
    }

    @Test
    void ofChecksItsArrays() {
        assertThat(DurationHistogram.of(new int[] {-3, 5}, new long[] {2, 1}).count()).isEqualTo(3);
        assertThatThrownBy(() -> DurationHistogram.of(new int[] {5, 5}, new long[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DurationHistogram.of(new int[] {5, 4}, new long[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DurationHistogram.of(new int[] {5}, new long[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static DurationHistogram of(double[] values) {
        DurationHistogram h = new DurationHistogram();
        for (double x : values) h.add(x);
        return h;
    }
}
