package org.correlationstation.bench.load;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.correlationstation.core.testdata.OtlpMessages;

/**
 * Writes batches as a Collector's Kafka exporter does: one message per batch, no key, protobuf
 * ({@code otlp_proto}) or OTLP/JSON with hex ids ({@code otlp_json}).
 */
public final class KafkaTarget implements OtlpTarget {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String spansTopic;
    private final String logsTopic;
    private final boolean json;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile Exception firstError;

    public KafkaTarget(String bootstrapServers, String spansTopic, String logsTopic, String encoding, String compression) {
        if (!encoding.equals("otlp_proto") && !encoding.equals("otlp_json")) {
            throw new IllegalArgumentException("--encoding must be otlp_proto or otlp_json, not " + encoding);
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(1 << 20));
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(256L << 20));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        producer = new KafkaProducer<>(p);
        this.spansTopic = spansTopic;
        this.logsTopic = logsTopic;
        this.json = encoding.equals("otlp_json");
    }

    @Override
    public void send(OtlpBatch batch) {
        byte[] value = json ? OtlpMessages.toJson(batch.message()) : batch.message().toByteArray();
        String topic = batch.signal() == Signal.SPANS ? spansTopic : logsTopic;
        producer.send(new ProducerRecord<>(topic, value), (metadata, e) -> {
            if (e == null) {
                acknowledged.incrementAndGet();
            } else {
                if (firstError == null) firstError = e;
                errors.incrementAndGet();
            }
        });
    }

    @Override
    public long acknowledged() {
        return acknowledged.get();
    }

    @Override
    public long errors() {
        return errors.get();
    }

    public Exception firstError() {
        return firstError;
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
