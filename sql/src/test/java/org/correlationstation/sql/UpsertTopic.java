package org.correlationstation.sql;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.correlationstation.core.testing.EmbeddedKafka;

/** Reads a topic to its end as a {@code read_committed} consumer does: everything committed, in offset order. */
final class UpsertTopic {
    private UpsertTopic() {}

    /** Every committed record of the topic, partition by partition in offset order. */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(EmbeddedKafka kafka, String topic) {
        Properties p = kafka.clientProperties();
        p.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // Under read_committed the end offsets are the last stable offsets.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) throw new AssertionError("could not read " + topic + " to its end");
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** The upsert view: the latest value per key (UTF-8), keys whose latest record is a tombstone removed. */
    static Map<String, String> latest(EmbeddedKafka kafka, String topic) {
        Map<String, String> latest = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readCommitted(kafka, topic)) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) latest.remove(key); else latest.put(key, new String(r.value(), StandardCharsets.UTF_8));
        }
        return latest;
    }
}
