package org.correlationstation.connectors.kafka;

import java.io.Serializable;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends what a sink's backend rejected as invalid to the DLQ topic (SPEC §7), from inside the sink's
 * writer: the original OTLP message, {@code dlq.reason} (the backend's answer) and {@code dlq.sink}.
 * A writer calls {@link #flush()} in its own flush, so a checkpoint completes only once the dead
 * letters are acknowledged too. Serializable as configuration; the producer is created on first use.
 */
public final class DeadLetterPublisher implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final Properties producerProperties;
    private transient KafkaProducer<byte[], byte[]> producer;
    private transient DeadLetterSerializationSchema schema;

    public DeadLetterPublisher(String bootstrapServers, String topic, Properties extra) {
        this.topic = topic;
        // The same client settings as the job's DLQ sink (request size, user properties, bootstrap).
        this.producerProperties = DeadLetterSink.builder().bootstrapServers(bootstrapServers).topic(topic)
                .properties(extra).clientProperties();
        producerProperties.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        producerProperties.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    }

    /** Completes when Kafka acknowledged the dead letter. */
    public synchronized CompletableFuture<Void> publish(String sink, byte[] original, String reason, String answer) {
        if (producer == null) {
            producer = new KafkaProducer<>(producerProperties, new ByteArraySerializer(), new ByteArraySerializer());
            schema = new DeadLetterSerializationSchema(topic);
        }
        DeadLetter letter = DeadLetter.rejectedBySink(sink, original, reason, reason + ": " + answer);
        CompletableFuture<Void> acked = new CompletableFuture<>();
        producer.send(schema.serialize(letter, null, System.currentTimeMillis()), (metadata, error) -> {
            if (error == null) acked.complete(null); else acked.completeExceptionally(error);
        });
        return acked;
    }

    public synchronized void flush() {
        if (producer != null) producer.flush();
    }

    @Override
    public synchronized void close() {
        // Bounded: a task being cancelled must not wait on an unreachable Kafka; whatever was not
        // acknowledged replays from the last checkpoint.
        if (producer != null) producer.close(Duration.ofSeconds(5));
        producer = null;
    }
}
