package org.correlationstation.connectors.kafka;

import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.correlationstation.core.otlp.MalformedOtlpException;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one OTLP message per Kafka record into one envelope per event. Bad data never throws: a record
 * that cannot be decoded becomes a single dead-letter envelope, because an exception here would fail
 * the job and make it restart onto the same record forever. The record key is ignored (SPEC §1).
 */
public abstract class OtlpDeserializationSchema implements KafkaRecordDeserializationSchema<TelemetryEnvelope> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OtlpDeserializationSchema.class);

    protected final OtlpDecoder decoder;
    protected final OtlpEncoding encoding;

    protected OtlpDeserializationSchema(OtlpDecoder decoder, OtlpEncoding encoding) {
        this.decoder = Objects.requireNonNull(decoder);
        this.encoding = Objects.requireNonNull(encoding);
    }

    /** All events of the record's message, or an exception and none: a message is decoded whole. */
    protected abstract List<TelemetryEnvelope> decode(ConsumerRecord<byte[], byte[]> record) throws MalformedOtlpException;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<TelemetryEnvelope> out) {
        List<TelemetryEnvelope> events;
        try {
            events = decode(record);
        } catch (MalformedOtlpException e) {
            out.collect(TelemetryEnvelope.of(DeadLetter.undecodable(record, e)));
            return;
        } catch (RuntimeException e) {
            // A decoder bug on one message must not stop the pipeline; the bytes are kept for a replay.
            LOG.warn("Unexpected failure decoding {}-{}@{}; sent to the dead letters",
                    record.topic(), record.partition(), record.offset(), e);
            String reason = encoding == OtlpEncoding.OTLP_JSON
                    ? MalformedOtlpException.MALFORMED_JSON : MalformedOtlpException.MALFORMED_PROTO;
            out.collect(TelemetryEnvelope.of(DeadLetter.undecodable(record, reason,
                    reason + ": decoder failed: " + e)));
            return;
        }
        for (TelemetryEnvelope event : events) out.collect(event);
    }

    @Override
    public TypeInformation<TelemetryEnvelope> getProducedType() {
        return TypeInformation.of(TelemetryEnvelope.class);
    }

    public OtlpEncoding encoding() {
        return encoding;
    }
}
