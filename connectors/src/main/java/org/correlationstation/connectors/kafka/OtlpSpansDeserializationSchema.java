package org.correlationstation.connectors.kafka;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.MalformedOtlpException;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;

/** Records of the spans topic: each value one OTLP {@code TracesData}. */
public class OtlpSpansDeserializationSchema extends OtlpDeserializationSchema {
    private static final long serialVersionUID = 1L;

    public OtlpSpansDeserializationSchema(OtlpDecoder decoder, OtlpEncoding encoding) {
        super(decoder, encoding);
    }

    @Override
    protected List<TelemetryEnvelope> decode(ConsumerRecord<byte[], byte[]> record) throws MalformedOtlpException {
        List<SpanEvent> spans = decoder.decodeSpans(record.value(), encoding);
        List<TelemetryEnvelope> out = new ArrayList<>(spans.size());
        for (SpanEvent span : spans) out.add(TelemetryEnvelope.of(span));
        return out;
    }
}
