package org.correlationstation.job.route;

import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.correlationstation.connectors.kafka.TelemetryEnvelope;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;

/**
 * Event time of what a source reads (SPEC §2): a span's end, a log's time. An undecodable message has
 * none: it gets the smallest timestamp so that it never moves the watermark (its Kafka timestamp is
 * wall-clock time, which would make a replayed backlog late).
 */
public final class EventTimes implements SerializableTimestampAssigner<TelemetryEnvelope> {
    private static final long serialVersionUID = 1L;

    @Override
    public long extractTimestamp(TelemetryEnvelope envelope, long recordTimestamp) {
        // A trace's events of one message: the latest, as the watermark follows the maximum anyway.
        long max = Long.MIN_VALUE;
        if (envelope.spans != null) {
            for (SpanEvent span : envelope.spans) max = Math.max(max, span.eventTimeMillis());
        } else if (envelope.logs != null) {
            for (LogEvent log : envelope.logs) max = Math.max(max, log.eventTimeMillis());
        }
        return max;
    }
}
