package org.correlationstation.job.route;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.correlationstation.connectors.kafka.TelemetryEnvelope;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.job.types.CompactTypes;
import org.correlationstation.job.types.TraceLogs;

/**
 * Logs with a trace id go on to the correlator; logs without one are not correlated (SPEC §3) and leave
 * at once through {@link #UNCORRELATED}; undecodable messages go to the dead letters.
 */
public class LogRouter extends ProcessFunction<TelemetryEnvelope, TraceLogs> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<LogEvent> UNCORRELATED =
            new OutputTag<>("uncorrelated-logs", CompactTypes.LOG_EVENT);

    private transient RouterMetrics metrics;
    private transient Counter uncorrelated;

    @Override
    public void open(OpenContext openContext) {
        metrics = new RouterMetrics(getRuntimeContext().getMetricGroup());
        uncorrelated = metrics.group().counter("uncorrelated_logs");
    }

    @Override
    public void processElement(TelemetryEnvelope envelope, Context ctx, Collector<TraceLogs> out) {
        if (envelope.deadLetter != null) {
            metrics.deadLetter(envelope.deadLetter.reason);
            ctx.output(DeadLetters.TAG, envelope.deadLetter);
        } else if (envelope.logs != null) {
            String traceId = envelope.logs[0].traceId; // the source groups a message's logs by trace id
            if (traceId != null) {
                out.collect(new TraceLogs(traceId, envelope.logs));
            } else {
                for (LogEvent log : envelope.logs) {
                    uncorrelated.inc();
                    ctx.output(UNCORRELATED, log);
                }
            }
        }
    }
}
