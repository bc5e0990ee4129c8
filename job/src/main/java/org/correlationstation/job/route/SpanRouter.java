package org.correlationstation.job.route;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.correlationstation.connectors.kafka.TelemetryEnvelope;
import org.correlationstation.core.model.OtlpTraces;
import org.correlationstation.core.model.SpanEvent;

/**
 * Spans go on to the correlator; the original messages (when the source forwards them) to
 * {@link #ORIGINALS} for Tempo; undecodable messages to the dead-letter side output.
 */
public class SpanRouter extends ProcessFunction<TelemetryEnvelope, SpanEvent> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<OtlpTraces> ORIGINALS =
            new OutputTag<>("original-traces", TypeInformation.of(OtlpTraces.class));
    private transient RouterMetrics metrics;

    @Override
    public void open(OpenContext openContext) {
        metrics = new RouterMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(TelemetryEnvelope envelope, Context ctx, Collector<SpanEvent> out) {
        if (envelope.deadLetter != null) {
            metrics.deadLetter(envelope.deadLetter.reason);
            ctx.output(DeadLetters.TAG, envelope.deadLetter);
        } else if (envelope.span != null) {
            out.collect(envelope.span);
        } else if (envelope.traces != null) {
            ctx.output(ORIGINALS, envelope.traces);
        }
    }
}
