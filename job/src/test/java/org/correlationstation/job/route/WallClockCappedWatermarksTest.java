package org.correlationstation.job.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class WallClockCappedWatermarksTest {
    private final List<Long> emitted = new ArrayList<>();
    private final WatermarkOutput output = new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
            emitted.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    };

    @Test
    void followsEventTimeMinusTheBound() {
        var w = new WallClockCappedWatermarks<String>(Duration.ofSeconds(5), () -> 1_000_000L);
        w.onEvent("a", 900_000L, output);
        w.onEvent("b", 890_000L, output);
        w.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(900_000L - 5_000 - 1);
    }

    @Test
    void aClockFarAheadCannotDragTheWatermarkPastWallClock() {
        var w = new WallClockCappedWatermarks<String>(Duration.ofSeconds(5), () -> 1_000_000L);
        w.onEvent("skewed host", 1_000_000L + 3_600_000L, output);
        w.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(1_000_000L - 1);
    }
}
