package org.correlationstation.job.route;

import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.correlationstation.connectors.kafka.TelemetryEnvelope;

/**
 * Event time of what a source reads (SPEC §2): a span's end, a log's time. An undecodable message has
 * none: it gets the smallest timestamp so that it never moves the watermark (its Kafka timestamp is
 * wall-clock time, which would make a replayed backlog late).
 */
public final class EventTimes implements SerializableTimestampAssigner<TelemetryEnvelope> {
    private static final long serialVersionUID = 1L;

    @Override
    public long extractTimestamp(TelemetryEnvelope envelope, long recordTimestamp) {
        if (envelope.span != null) return envelope.span.eventTimeMillis();
        if (envelope.log != null) return envelope.log.eventTimeMillis();
        return Long.MIN_VALUE;
    }
}
