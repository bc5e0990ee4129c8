package org.correlationstation.job.route;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.correlationstation.connectors.kafka.TelemetryEnvelope;
import org.correlationstation.job.types.TraceSpans;
import org.correlationstation.core.model.OtlpTraces;

/**
 * Spans go on to the correlator; the original messages (when the source forwards them) to
 * {@link #ORIGINALS} for Tempo; undecodable messages to the dead-letter side output.
 */
public class SpanRouter extends ProcessFunction<TelemetryEnvelope, TraceSpans> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<OtlpTraces> ORIGINALS =
            new OutputTag<>("original-traces", TypeInformation.of(OtlpTraces.class));
    private transient RouterMetrics metrics;

    @Override
    public void open(OpenContext openContext) {
        metrics = new RouterMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(TelemetryEnvelope envelope, Context ctx, Collector<TraceSpans> out) {
        if (envelope.deadLetter != null) {
            metrics.deadLetter(envelope.deadLetter.reason);
            ctx.output(DeadLetters.TAG, envelope.deadLetter);
        } else if (envelope.spans != null) {
            out.collect(new TraceSpans(envelope.spans[0].traceId, envelope.spans));
        } else if (envelope.traces != null) {
            ctx.output(ORIGINALS, envelope.traces);
        }
    }
}
