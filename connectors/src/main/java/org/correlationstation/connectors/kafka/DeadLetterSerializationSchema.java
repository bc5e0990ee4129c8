package org.correlationstation.connectors.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes dead letters to the DLQ topic: the original key and value unchanged, the why and where in
 * headers (SPEC §1, §7), so that a fixed pipeline can replay the topic as it is.
 */
public class DeadLetterSerializationSchema implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    public static final String REASON = "dlq.reason";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";
    /** The source record's timestamp: a replay can restore it, as logs without a time fall back on it. */
    public static final String SOURCE_TIMESTAMP = "dlq.source.timestamp";
    public static final String SINK = "dlq.sink";

    private final String topic;

    public DeadLetterSerializationSchema(String topic) {
        this.topic = Objects.requireNonNull(topic);
    }

    /**
     * The record has no timestamp of its own (the producer stamps it now): with the source's, a replay of
     * old data would be deleted by the DLQ topic's time retention almost at once.
     */
    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        add(headers, REASON, letter.detail != null ? letter.detail : letter.reason);
        if (letter.sourceTopic != null) {
            add(headers, SOURCE_TOPIC, letter.sourceTopic);
            add(headers, SOURCE_PARTITION, Integer.toString(letter.sourcePartition));
            add(headers, SOURCE_OFFSET, Long.toString(letter.sourceOffset));
            if (letter.timestamp >= 0) add(headers, SOURCE_TIMESTAMP, Long.toString(letter.timestamp));
        }
        if (letter.sink != null) add(headers, SINK, letter.sink);
        return new ProducerRecord<>(topic, null, null, letter.key, letter.value, headers);
    }

    private static void add(RecordHeaders headers, String name, String value) {
        if (value != null) headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    public String topic() {
        return topic;
    }
}
