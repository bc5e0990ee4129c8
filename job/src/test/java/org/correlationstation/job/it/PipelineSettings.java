package org.correlationstation.job.it;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.testing.EmbeddedKafka;

/** The job's settings for one end-to-end run: its own topics, consumer group and checkpoint directory. */
final class PipelineSettings {
    static final long TTL_SECONDS = 3600;

    private PipelineSettings() {}

    /**
     * Settings for the run {@code name} (topics {@code name-spans}, {@code name-logs}, {@code name-dlq},
     * created here), with {@code extra} on top.
     */
    static Settings create(EmbeddedKafka kafka, String redisUri, Path tmp, String name, Map<String, String> extra)
            throws Exception {
        Map<String, String> env = env(kafka, redisUri, tmp, name);
        env.putAll(extra);
        return Settings.from(env, new String[0]);
    }

    /** The same settings as a mutable map, without Redis when {@code redisUri} is null (topics created here). */
    static Map<String, String> env(EmbeddedKafka kafka, String redisUri, Path tmp, String name) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("KAFKA_SPANS_TOPIC", name + "-spans");
        env.put("KAFKA_LOGS_TOPIC", name + "-logs");
        env.put("KAFKA_DLQ_TOPIC", name + "-dlq");
        env.put("KAFKA_GROUP_ID", name);
        env.put("KAFKA_LOGS_ENCODING", "otlp_json");
        if (redisUri != null) env.put("REDIS_URL", redisUri);
        env.put("CHECKPOINT_DIR", tmp.resolve(name + "-checkpoints").toUri().toString());
        env.put("CHECKPOINT_INTERVAL_MS", "1000");
        env.put("PARALLELISM", String.valueOf(PipelineCluster.PARALLELISM));
        env.put("MAX_OUT_OF_ORDERNESS_MS", "2000");
        env.put("SOURCE_IDLE_TIMEOUT_MS", "1000");
        env.put("CORRELATION_TTL_SECONDS", String.valueOf(TTL_SECONDS));
        // Traces close when the pusher moves the watermark, never by processing-time idleness: on a slow
        // machine an outage or a restore can hold the logs back longer than the default 60 s window, and
        // logs arriving after an idle close would (correctly) count as late events.
        env.put("CORR_WINDOW_SECONDS", "600");
        env.put("REDIS_BATCH_WAIT_MS", "50");
        env.put("EXPORT_RETRY_DELAY", "0.2");
        for (String topic : List.of("-spans", "-logs", "-dlq")) kafka.createTopic(name + topic, 2);
        return env;
    }
}
