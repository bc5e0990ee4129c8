package org.correlationstation.job.topics;

import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.record.CorrelationRecord;

/**
 * The exactly-once Kafka sinks of the optional topics (SPEC §7, docs/sql.md): correlation records
 * (upsert topic, key {@code trace_id}, value the SPEC §4 JSON), normalised spans and normalised logs.
 *
 * <p>Records become visible to {@code read_committed} readers when the checkpoint that covers them
 * completes. The transactional id prefix is {@code KAFKA_GROUP_ID-<sink uid>}: unique per sink and per
 * job (two jobs sharing a group id would fence each other's producers, as they would share offsets).
 */
public final class TopicSinks {
    /**
     * 10 minutes: below the broker's default {@code transaction.max.timeout.ms} (15 min), which Flink's
     * own default (1 h) exceeds, and far above a checkpoint interval plus a restart. A value in
     * {@code KAFKA_PROPERTIES_FILE} wins.
     */
    static final String DEFAULT_TRANSACTION_TIMEOUT_MS = "600000";

    private TopicSinks() {}

    public static KafkaSink<CorrelationRecord> correlations(Settings settings, String uid) {
        return sink(settings, uid, new JsonRecordSchema.Records(settings.get(Options.KAFKA_CORRELATIONS_TOPIC)));
    }

    public static KafkaSink<NormalizedSpan> spans(Settings settings, String uid) {
        return sink(settings, uid, new JsonRecordSchema.Spans(settings.get(Options.KAFKA_NORMALIZED_SPANS_TOPIC)));
    }

    public static KafkaSink<NormalizedLog> logs(Settings settings, String uid) {
        return sink(settings, uid, new JsonRecordSchema.Logs(settings.get(Options.KAFKA_NORMALIZED_LOGS_TOPIC)));
    }

    /** The transactional id prefix of the sink with this uid. */
    public static String transactionalIdPrefix(Settings settings, String uid) {
        return settings.get(Options.KAFKA_GROUP_ID) + "-" + uid;
    }

    private static <T> KafkaSink<T> sink(Settings settings, String uid, JsonRecordSchema<T> schema) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, DEFAULT_TRANSACTION_TIMEOUT_MS);
        Properties extra = settings.kafkaProperties();
        for (String name : extra.stringPropertyNames()) p.setProperty(name, extra.getProperty(name));
        p.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.get(Options.KAFKA_BOOTSTRAP_SERVERS));
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(p)
                .setRecordSerializer(schema)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix(settings, uid))
                .build();
    }
}
