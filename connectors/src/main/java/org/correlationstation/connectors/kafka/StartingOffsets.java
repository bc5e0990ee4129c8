package org.correlationstation.connectors.kafka;

import java.util.Locale;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * {@code KAFKA_STARTING_OFFSETS}: where a job without a checkpoint starts reading. A restore from a
 * checkpoint or savepoint always resumes from the offsets stored in it.
 */
public final class StartingOffsets {
    public static final String COMMITTED = "committed";
    public static final String EARLIEST = "earliest";
    public static final String LATEST = "latest";

    private StartingOffsets() {}

    /** {@code committed} (the group's offsets, earliest where it has none), {@code earliest} or {@code latest}. */
    public static OffsetsInitializer parse(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case COMMITTED: return committedElseEarliest();
            case EARLIEST: return OffsetsInitializer.earliest();
            case LATEST: return OffsetsInitializer.latest();
            default:
                throw new IllegalArgumentException("unknown starting offsets '" + value
                        + "' (expected committed, earliest or latest)");
        }
    }

    /** The default: a new deployment reads everything, a redeployment resumes where its group stopped. */
    @SuppressWarnings("deprecation") // the connector's API still takes the client's deprecated enum
    public static OffsetsInitializer committedElseEarliest() {
        return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
    }
}
