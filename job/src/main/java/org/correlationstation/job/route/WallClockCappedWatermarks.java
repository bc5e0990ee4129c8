package org.correlationstation.job.route;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness watermarks whose event times are capped at wall-clock time plus the bound.
 * Trace ids spread every host's telemetry over all partitions, so without the cap one host whose clock
 * runs ahead would drag the watermark ahead for every trace: they would all close at once, and later
 * events would count as late or expired. Events keep their own timestamps; only the watermark is
 * protected. Replays of old data are unaffected (their times are far below the cap).
 */
public final class WallClockCappedWatermarks<T> implements WatermarkGenerator<T> {
    private final long boundMs;
    private final LongSupplier clock;
    private long maxTimestamp;

    public WallClockCappedWatermarks(Duration bound, LongSupplier clock) {
        this.boundMs = bound.toMillis();
        this.clock = clock;
        this.maxTimestamp = Long.MIN_VALUE + boundMs + 1;
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        long capped = Math.min(eventTimestamp, clock.getAsLong() + boundMs);
        maxTimestamp = Math.max(maxTimestamp, capped);
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        output.emitWatermark(new Watermark(maxTimestamp - boundMs - 1));
    }
}
