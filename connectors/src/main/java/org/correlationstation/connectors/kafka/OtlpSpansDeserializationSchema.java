package org.correlationstation.connectors.kafka;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.opentelemetry.proto.trace.v1.TracesData;
import org.correlationstation.core.model.OtlpTraces;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.MalformedOtlpException;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;

/** Records of the spans topic: each value one OTLP {@code TracesData}. */
public class OtlpSpansDeserializationSchema extends OtlpDeserializationSchema {
    private static final long serialVersionUID = 1L;

    private final boolean forwardOriginals;

    public OtlpSpansDeserializationSchema(OtlpDecoder decoder, OtlpEncoding encoding) {
        this(decoder, encoding, false);
    }

    /** @param forwardOriginals also emit each message itself (protobuf-encoded), for the Tempo sink */
    public OtlpSpansDeserializationSchema(OtlpDecoder decoder, OtlpEncoding encoding, boolean forwardOriginals) {
        super(decoder, encoding);
        this.forwardOriginals = forwardOriginals;
    }

    @Override
    protected List<TelemetryEnvelope> decode(ConsumerRecord<byte[], byte[]> record) throws MalformedOtlpException {
        TracesData data = decoder.parseTraces(record.value(), encoding);
        List<SpanEvent> spans = decoder.spans(data);
        List<TelemetryEnvelope> out = TelemetryEnvelope.spansByTrace(spans);
        if (forwardOriginals && !spans.isEmpty()) {
            // Protobuf messages go on byte for byte; JSON ones in the protobuf encoding of the same message.
            byte[] original = encoding == OtlpEncoding.OTLP_PROTO ? record.value() : data.toByteArray();
            out.add(TelemetryEnvelope.of(new OtlpTraces(original, spans.size())));
        }
        return out;
    }
}
