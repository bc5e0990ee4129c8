package org.correlationstation.job.topics;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;

/**
 * One Kafka record per element: key = the element's trace id (UTF-8; null for logs without one), value =
 * its JSON. The record timestamp is left to the producer (write time), not the event time: a replay of
 * old telemetry would otherwise be deleted by time-based retention as soon as it is written.
 *
 * <p>One subclass per type rather than serializable lambdas: Java's deserialisation of two method
 * references to the same method ({@code NormalizedJson::toJson}) with different types can hand back the
 * wrong one, which then fails with a ClassCastException at runtime.
 */
abstract class JsonRecordSchema<T> implements KafkaRecordSerializationSchema<T> {
    private final String topic;

    JsonRecordSchema(String topic) {
        this.topic = topic;
    }

    abstract String key(T element);

    abstract byte[] value(T element);

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        String k = key(element);
        return new ProducerRecord<>(topic, null, null, k == null ? null : k.getBytes(StandardCharsets.UTF_8), value(element));
    }

    static final class Records extends JsonRecordSchema<CorrelationRecord> {
        Records(String topic) {
            super(topic);
        }

        @Override
        String key(CorrelationRecord r) {
            return r.traceId;
        }

        @Override
        byte[] value(CorrelationRecord r) {
            return RecordCodec.toJsonBytes(r);
        }
    }

    static final class Spans extends JsonRecordSchema<NormalizedSpan> {
        Spans(String topic) {
            super(topic);
        }

        @Override
        String key(NormalizedSpan s) {
            return s.traceId;
        }

        @Override
        byte[] value(NormalizedSpan s) {
            return NormalizedJson.toJson(s);
        }
    }

    static final class Logs extends JsonRecordSchema<NormalizedLog> {
        Logs(String topic) {
            super(topic);
        }

        @Override
        String key(NormalizedLog l) {
            return l.traceId;
        }

        @Override
        byte[] value(NormalizedLog l) {
            return NormalizedJson.toJson(l);
        }
    }
}
