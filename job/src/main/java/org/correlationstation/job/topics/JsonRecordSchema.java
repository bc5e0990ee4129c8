package org.correlationstation.job.topics;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One Kafka record per element: key = the element's trace id (UTF-8; null for logs without one), value =
 * its JSON. The record timestamp is left to the producer (write time), not the event time: a replay of
 * old telemetry would otherwise be deleted by time-based retention as soon as it is written.
 */
final class JsonRecordSchema<T> implements KafkaRecordSerializationSchema<T> {
    private final String topic;
    private final SerializableFunction<T, String> key;
    private final SerializableFunction<T, byte[]> value;

    JsonRecordSchema(String topic, SerializableFunction<T, String> key, SerializableFunction<T, byte[]> value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        String k = key.apply(element);
        return new ProducerRecord<>(topic, null, null, k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                value.apply(element));
    }
}
