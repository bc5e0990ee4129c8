package org.correlationstation.ingest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.testing.EmbeddedKafka;

/** A running ingest server on free ports, and what its tests need to talk to it and to look into Kafka. */
public final class IngestFixture implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    public final IngestServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private IngestFixture(IngestServer server) {
        this.server = server;
    }

    /** A server on free ports writing to {@code bootstrap}; {@code extra} env overrides. */
    public static IngestFixture start(String bootstrap, String spansTopic, String logsTopic, Map<String, String> extra)
            throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("KAFKA_SPANS_TOPIC", spansTopic);
        env.put("KAFKA_LOGS_TOPIC", logsTopic);
        env.put("OTLP_GRPC_PORT", "0");
        env.put("OTLP_HTTP_PORT", "0");
        env.put("DEPLOYMENT_ENV", "test");
        env.putAll(extra);
        return new IngestFixture(IngestServer.start(Settings.from(env, new String[0])));
    }

    public String url(String path) {
        return "http://localhost:" + server.httpPort() + path;
    }

    public HttpResponse<byte[]> post(String path, String contentType, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) b.header("Content-Type", contentType);
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Records in the topic: the sum of its partitions' end offsets. */
    public static long recordCount(EmbeddedKafka kafka, String topic) {
        Properties p = kafka.clientProperties();
        p.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            return consumer.endOffsets(partitions, TIMEOUT).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
