package org.correlationstation.ingest.kafka;

import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;

/**
 * The Kafka client settings of the ingest service. A request is answered only after Kafka stored all
 * of it, so the producer must fail fast and within a bound when Kafka is away: {@code max.block.ms}
 * (metadata, full buffer) and {@code delivery.timeout.ms} (everything else) are a few seconds, after
 * which the receivers answer 503 and the client retries. {@code KAFKA_PROPERTIES_FILE} (SASL, TLS,
 * compression, other timeouts…) overrides these defaults; durability ({@code acks=all}, idempotence)
 * and the serializers are not negotiable.
 */
public final class ProducerSettings {
    public static final String CLIENT_ID = "correlation-station-ingest";
    static final int MAX_BLOCK_MS = 1_000;
    static final int REQUEST_TIMEOUT_MS = 3_000;
    static final int DELIVERY_TIMEOUT_MS = 5_000;
    static final int LINGER_MS = 5;
    /**
     * Kafka's default batch (16 KiB) holds ~90 of the ~180-byte events a request brings: a saturated
     * receiver sent thousands of produce batches a second, and the producer's I/O thread and the broker
     * paid per batch. 128 KiB cut the broker's CPU per event by a third or more at 100k events/s
     * (bench/ingest.sh, bench/README.md "Ingest"). Not larger: each partition with a batch open holds a
     * whole batch of {@code buffer.memory} (32 MiB) until it is sent, so 128 KiB still leaves room for
     * 256 partitions written at once.
     */
    static final int BATCH_SIZE = 128 * 1024;

    private ProducerSettings() {}

    public static Properties producer(Settings settings) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.get(Options.KAFKA_BOOTSTRAP_SERVERS));
        p.setProperty(ProducerConfig.CLIENT_ID_CONFIG, CLIENT_ID);
        p.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(MAX_BLOCK_MS));
        p.setProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(REQUEST_TIMEOUT_MS));
        p.setProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(DELIVERY_TIMEOUT_MS));
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(LINGER_MS));
        p.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(BATCH_SIZE));
        addAll(p, settings.kafkaProperties());
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** The admin client behind readiness and the start-up topic check: the producer's security settings. */
    public static Properties admin(Settings settings) {
        Properties p = new Properties();
        p.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.get(Options.KAFKA_BOOTSTRAP_SERVERS));
        p.setProperty(CommonClientConfigs.CLIENT_ID_CONFIG, CLIENT_ID + "-admin");
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(REQUEST_TIMEOUT_MS));
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(DELIVERY_TIMEOUT_MS));
        Properties extra = settings.kafkaProperties();
        // Only the settings an admin client knows (security, timeouts): no warnings about producer keys.
        for (String name : extra.stringPropertyNames()) {
            if (AdminClientConfig.configNames().contains(name)) p.setProperty(name, extra.getProperty(name));
        }
        return p;
    }

    /** stringPropertyNames() includes a Properties' defaults, which putAll would miss. */
    private static void addAll(Properties target, Properties extra) {
        for (String name : extra.stringPropertyNames()) target.setProperty(name, extra.getProperty(name));
    }
}
