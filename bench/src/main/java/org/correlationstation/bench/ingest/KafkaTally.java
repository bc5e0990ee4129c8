package org.correlationstation.bench.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.correlationstation.bench.load.Signal;

/**
 * What reached the spans and logs topics between two moments: the records between two snapshots of
 * the end offsets, read back and counted event by event ({@link OtlpShape}). Exact where offsets are
 * not: the ingest writes one message per trace, so a request becomes as many records as it has traces.
 * The values must be protobuf ({@code otlp_proto}, the topics' default encoding).
 */
public final class KafkaTally implements AutoCloseable {
    /** Records and events read back. */
    public record Count(long records, long spans, long logs) {
        public long events() {
            return spans + logs;
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, Signal> partitions = new HashMap<>();

    public KafkaTally(String bootstrapServers, String spansTopic, String logsTopic) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 << 20));
        consumer = new KafkaConsumer<>(p);
        for (String topic : List.of(spansTopic, logsTopic)) {
            Signal signal = topic.equals(spansTopic) ? Signal.SPANS : Signal.LOGS;
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.put(new TopicPartition(topic, info.partition()), signal));
        }
        consumer.assign(partitions.keySet());
    }

    /** The end offset of every partition of both topics, now. */
    public Map<TopicPartition, Long> endOffsets() {
        return new HashMap<>(consumer.endOffsets(partitions.keySet(), Duration.ofSeconds(30)));
    }

    /**
     * The end offsets once they stopped moving for {@code quiet} (at most {@code max}): a request the
     * driver gave up on may still be written after its run returned.
     */
    public Map<TopicPartition, Long> settledEndOffsets(Duration quiet, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        Map<TopicPartition, Long> last = endOffsets();
        long stableSince = System.nanoTime();
        while (System.nanoTime() - stableSince < quiet.toNanos() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            Map<TopicPartition, Long> now = endOffsets();
            if (!now.equals(last)) {
                last = now;
                stableSince = System.nanoTime();
            }
        }
        return last;
    }

    /** Reads every record from {@code from} up to {@code to} and counts the spans and log records in them. */
    public Count count(Map<TopicPartition, Long> from, Map<TopicPartition, Long> to) {
        List<TopicPartition> pending = new ArrayList<>();
        for (TopicPartition tp : partitions.keySet()) {
            if (to.get(tp) > from.get(tp)) {
                consumer.seek(tp, from.get(tp));
                pending.add(tp);
            }
        }
        consumer.pause(partitions.keySet());
        consumer.resume(pending);
        long records = 0;
        long spans = 0;
        long logs = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!pending.isEmpty()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("could not read back " + pending + " in 5 min");
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (r.offset() >= to.get(tp)) continue;
                Signal signal = partitions.get(tp);
                int n = r.value() == null ? 0 : OtlpShape.count(r.value(), signal);
                records++;
                if (signal == Signal.SPANS) spans += n;
                else logs += n;
            }
            pending.removeIf(tp -> consumer.position(tp) >= to.get(tp));
            consumer.pause(partitions.keySet());
            consumer.resume(pending);
        }
        return new Count(records, spans, logs);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
