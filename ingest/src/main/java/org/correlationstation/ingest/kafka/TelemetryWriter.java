package org.correlationstation.ingest.kafka;

import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigDef;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes OTLP data to the spans and logs topics the job reads, one message per trace (key: hex trace
 * id; logs without a trace id: null key), in each topic's encoding. A trace's messages go to the same
 * partition number in both topics ({@link TracePartitioner}).
 *
 * <p>Every write is asynchronous: the returned future completes when Kafka acknowledged every message
 * of the request ({@code acks=all}), or fails with a {@link KafkaWriteException} within
 * {@code delivery.timeout.ms}. Only looking up a topic's partitions the first time (or while Kafka is
 * unreachable) blocks the caller, for at most {@code max.block.ms}.
 *
 * <p>Thread-safe; one writer (one producer) can serve every receiver of a process, e.g. in local mode.
 */
public final class TelemetryWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TelemetryWriter.class);
    /** Headroom under {@code max.request.size} for the key, headers and the record batch framing. */
    private static final int RECORD_OVERHEAD_BYTES = 16 * 1024;
    /** OTLP/JSON is larger than protobuf (hex ids, field names, int64 as strings): budget for it. */
    private static final int JSON_EXPANSION = 3;

    private final KafkaProducer<byte[], byte[]> producer;
    private final Admin admin;
    private final String spansTopic;
    private final String logsTopic;
    private final OtlpEncoding spansEncoding;
    private final OtlpEncoding logsEncoding;
    private final TraceSplitter spansSplitter;
    private final TraceSplitter logsSplitter;

    private TelemetryWriter(Settings settings, Properties producerProperties) {
        this.spansTopic = settings.get(Options.KAFKA_SPANS_TOPIC);
        this.logsTopic = settings.get(Options.KAFKA_LOGS_TOPIC);
        this.spansEncoding = OtlpEncoding.parse(settings.get(Options.KAFKA_SPANS_ENCODING));
        this.logsEncoding = OtlpEncoding.parse(settings.get(Options.KAFKA_LOGS_ENCODING));
        int maxRequest = (Integer) ConfigDef.parseType(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                producerProperties.getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1048576"), ConfigDef.Type.INT);
        int budget = Math.max(1024, maxRequest - RECORD_OVERHEAD_BYTES);
        this.spansSplitter = new TraceSplitter(spansEncoding == OtlpEncoding.OTLP_JSON ? budget / JSON_EXPANSION : budget);
        this.logsSplitter = new TraceSplitter(logsEncoding == OtlpEncoding.OTLP_JSON ? budget / JSON_EXPANSION : budget);
        this.producer = new KafkaProducer<>(producerProperties);
        this.admin = Admin.create(ProducerSettings.admin(settings));
    }

    /**
     * Connects to KAFKA_BOOTSTRAP_SERVERS (KAFKA_PROPERTIES_FILE for security). Kafka need not be up:
     * writes fail until it is, and {@link #checkReady} says so.
     */
    public static TelemetryWriter create(Settings settings) {
        TelemetryWriter writer = new TelemetryWriter(settings, ProducerSettings.producer(settings));
        writer.checkTopicsLater();
        return writer;
    }

    /** @return a future of the number of spans stored */
    public CompletableFuture<Integer> writeTraces(TracesData data) {
        return send(spansTopic, spansEncoding, spansSplitter.split(data));
    }

    /** @return a future of the number of log records stored */
    public CompletableFuture<Integer> writeLogs(LogsData data) {
        return send(logsTopic, logsEncoding, logsSplitter.split(data));
    }

    private CompletableFuture<Integer> send(String topic, OtlpEncoding encoding, List<TracePart> parts) {
        if (parts.isEmpty()) return CompletableFuture.completedFuture(0);
        List<CompletableFuture<?>> acks = new ArrayList<>(parts.size());
        int items = 0;
        try {
            int spansPartitions = -1;
            int logsPartitions = -1;
            for (TracePart part : parts) {
                Integer partition = null;
                byte[] key = null;
                if (part.traceId() != null) {
                    if (spansPartitions < 0) {
                        // Cached by the producer after the first look-up; refreshed with its metadata.
                        spansPartitions = producer.partitionsFor(spansTopic).size();
                        logsPartitions = producer.partitionsFor(logsTopic).size();
                    }
                    key = part.traceId().getBytes(StandardCharsets.UTF_8);
                    partition = TracePartitioner.partition(part.traceId(), spansPartitions, logsPartitions);
                }
                byte[] value = encoding == OtlpEncoding.OTLP_JSON
                        ? OtlpJsonEncoder.encode(part.data()) : part.data().toByteArray();
                CompletableFuture<Void> ack = new CompletableFuture<>();
                producer.send(new ProducerRecord<>(topic, partition, key, value), (metadata, e) -> {
                    if (e == null) ack.complete(null);
                    else ack.completeExceptionally(e);
                });
                acks.add(ack);
                items += part.items();
            }
        } catch (RuntimeException e) {
            // Metadata or buffer timeout, or a record the producer refuses: what was sent may be stored,
            // but the request as a whole is not, so it fails (the job deduplicates the client's retry).
            CompletableFuture<Integer> failed = new CompletableFuture<>();
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .whenComplete((v, ignored) -> failed.completeExceptionally(KafkaWriteException.of(e)));
            return failed;
        }
        int stored = items;
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            if (e != null) throw KafkaWriteException.of(unwrap(e));
            return stored;
        });
    }

    /**
     * Completes normally when a broker answers within {@code timeout}, else exceptionally: the
     * readiness of the receivers. Missing topics do not make the service unready (brokers may create
     * them on first write); the start-up check logs them.
     */
    public CompletableFuture<Void> checkReady(Duration timeout) {
        return admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                .nodes().toCompletionStage().toCompletableFuture()
                .thenAccept(nodes -> {
                    if (nodes.isEmpty()) throw new IllegalStateException("the cluster has no brokers");
                });
    }

    /**
     * Logs, once Kafka answers, whether both topics exist with the same partition count (the
     * partitioning relies on it to use every partition; see {@link TracePartitioner}).
     */
    private void checkTopicsLater() {
        admin.describeTopics(List.of(spansTopic, logsTopic),
                        new DescribeTopicsOptions().timeoutMs(ProducerSettings.DELIVERY_TIMEOUT_MS * 2))
                .allTopicNames().toCompletionStage().whenComplete((topics, e) -> {
                    if (e != null) {
                        log.warn("could not check the topics {} and {}: {} (writes will tell)", spansTopic, logsTopic,
                                unwrap(e).toString());
                        return;
                    }
                    warnOnMismatch(topics);
                });
    }

    private void warnOnMismatch(Map<String, TopicDescription> topics) {
        int spans = topics.get(spansTopic).partitions().size();
        int logs = topics.get(logsTopic).partitions().size();
        if (spans != logs) {
            log.warn("{} has {} partitions and {} has {}: traces use only the first {} partitions of each, so that"
                    + " a trace's spans and logs share a partition number; give both topics the same count",
                    spansTopic, spans, logsTopic, logs, Math.min(spans, logs));
        } else {
            log.info("topics {} and {}: {} partitions each", spansTopic, logsTopic, spans);
        }
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    public String spansTopic() {
        return spansTopic;
    }

    public String logsTopic() {
        return logsTopic;
    }

    /** Waits for messages in flight (their requests are still answered), then closes the clients. */
    @Override
    public void close() {
        producer.close(Duration.ofMillis(ProducerSettings.DELIVERY_TIMEOUT_MS));
        admin.close(Duration.ofSeconds(1));
    }
}
