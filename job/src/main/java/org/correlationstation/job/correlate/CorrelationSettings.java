package org.correlationstation.job.correlate;

import java.io.Serializable;
import java.time.Duration;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;

/** The knobs of the correlation semantics (SPEC §3), resolved from the job's configuration. */
public final class CorrelationSettings implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int FIRST_EMIT_QUIET_DIVISOR = 5;

    public final long windowMs;
    public final long emitIntervalMs;
    /**
     * A trace quiet this long is emitted for the first time before the emit interval is up (0: never).
     * Not a setting of its own: SPEC §8's catalogue is the job's, so it follows the emit interval.
     */
    public final long firstEmitQuietMs;
    public final long ttlMs;
    public final long joinSlackMs;
    public final long joinMaxWaitMs;
    public final int maxSpansTracked;
    public final int maxLinks;
    public final int maxServices;
    /** The service graph's time bucket (GRAPH_BUCKET_SECONDS): not a correlation knob, but the correlator cuts by it. */
    public long graphBucketMs = Duration.ofSeconds(60).toMillis();

    /** The first emission waits for a fifth of the emit interval of quiet (200 ms at SPEC's default). */
    public CorrelationSettings(Duration window, Duration emitInterval, Duration ttl, Duration joinSlack,
            Duration joinMaxWait, int maxSpansTracked, int maxLinks, int maxServices) {
        this(window, emitInterval, emitInterval.dividedBy(FIRST_EMIT_QUIET_DIVISOR), ttl, joinSlack, joinMaxWait,
                maxSpansTracked, maxLinks, maxServices);
    }

    public CorrelationSettings(Duration window, Duration emitInterval, Duration firstEmitQuiet, Duration ttl,
            Duration joinSlack, Duration joinMaxWait, int maxSpansTracked, int maxLinks, int maxServices) {
        this.windowMs = window.toMillis();
        this.emitIntervalMs = emitInterval.toMillis();
        this.firstEmitQuietMs = firstEmitQuiet.toMillis();
        this.ttlMs = ttl.toMillis();
        this.joinSlackMs = joinSlack.toMillis();
        this.joinMaxWaitMs = joinMaxWait.toMillis();
        this.maxSpansTracked = maxSpansTracked;
        this.maxLinks = maxLinks;
        this.maxServices = maxServices;
    }

    public static CorrelationSettings from(Settings settings) {
        return new CorrelationSettings(
                Duration.ofSeconds(settings.get(Options.CORR_WINDOW_SECONDS)),
                Duration.ofMillis(settings.get(Options.CORRELATION_EMIT_INTERVAL_MS)),
                Duration.ofSeconds(settings.get(Options.CORRELATION_TTL_SECONDS)),
                Duration.ofMillis(settings.get(Options.JOIN_SLACK_MS)),
                Duration.ofMillis(settings.get(Options.JOIN_MAX_WAIT_MS)),
                settings.get(Options.MAX_SPANS_TRACKED_PER_TRACE),
                settings.get(Options.MAX_LINKS_PER_TRACE),
                settings.get(Options.MAX_SERVICES_PER_TRACE))
                .graphBucket(Duration.ofSeconds(settings.get(Options.GRAPH_BUCKET_SECONDS)));
    }

    public CorrelationSettings graphBucket(Duration bucket) {
        this.graphBucketMs = bucket.toMillis();
        return this;
    }

    /** SPEC §8 defaults. */
    public static CorrelationSettings defaults() {
        return new CorrelationSettings(Duration.ofSeconds(60), Duration.ofMillis(1000), Duration.ofSeconds(3600),
                Duration.ofMillis(1000), Duration.ofMillis(2000), 10_000, 1000, 100);
    }
}
