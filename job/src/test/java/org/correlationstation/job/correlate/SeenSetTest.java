package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SeenSetTest {

    @Test
    void aBatchSeesTheStoredValuesAndItsOwnAndMergesThemSorted() {
        SplittableRandom random = new SplittableRandom(7);
        TreeSet<Long> expected = new TreeSet<>();
        long[] stored = SeenSet.EMPTY;
        // batches of 1 to 60 values (past the linear-scan limit), negative values included
        for (int batch = 0; batch < 40; batch++) {
            SeenSet seen = new SeenSet(batch == 0 ? null : stored);
            int n = 1 + random.nextInt(60);
            for (int i = 0; i < n; i++) {
                long v = random.nextInt(3) == 0 && !expected.isEmpty() ? expected.first() : random.nextLong();
                boolean known = expected.contains(v);
                assertThat(seen.contains(v)).as("value %d known before", v).isEqualTo(known);
                if (!known) {
                    seen.add(v);
                    expected.add(v);
                    assertThat(seen.contains(v)).isTrue();
                }
            }
            if (seen.changed()) stored = seen.merged();
            assertThat(stored).containsExactly(expected.stream().mapToLong(Long::longValue).toArray());
        }
        assertThat(expected).hasSizeGreaterThan(500);
    }

    @Test
    void aBatchWithoutAdditionsChangesNothing() {
        SeenSet seen = new SeenSet(new long[] {-5, 3, 9});
        assertThat(seen.contains(3)).isTrue();
        assertThat(seen.contains(4)).isFalse();
        assertThat(seen.changed()).isFalse();
    }
}
