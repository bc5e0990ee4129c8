package org.correlationstation.job;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.correlationstation.connectors.kafka.DeadLetter;
import org.correlationstation.connectors.kafka.DeadLetterSink;
import org.correlationstation.connectors.kafka.OtlpKafkaSource;
import org.correlationstation.connectors.kafka.TelemetryEnvelope;
import org.correlationstation.connectors.redis.RedisSink;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.job.correlate.CorrelationSettings;
import org.correlationstation.job.correlate.TraceCorrelator;
import org.correlationstation.job.correlate.TraceIdOfLog;
import org.correlationstation.job.correlate.TraceIdOfSpan;
import org.correlationstation.job.route.DeadLetters;
import org.correlationstation.job.route.EventTimes;
import org.correlationstation.job.route.LogRouter;
import org.correlationstation.job.route.SpanRouter;

/**
 * Wires the job: two OTLP Kafka sources with event-time watermarks → routers (dead letters aside) →
 * the trace correlator keyed by trace id → Redis; dead letters → the DLQ topic. Only wiring here; the
 * logic lives in the functions it connects.
 */
public final class CorrelationPipeline {
    private CorrelationPipeline() {}

    /** The streams the pipeline produces, for sinks that later issues add (Loki, Tempo, topics). */
    public record Streams(SingleOutputStreamOperator<CorrelationRecord> records, DataStream<DeadLetter> deadLetters) {}

    public static Streams build(StreamExecutionEnvironment env, Settings settings) {
        WatermarkStrategy<TelemetryEnvelope> watermarks = WatermarkStrategy
                .<TelemetryEnvelope>forBoundedOutOfOrderness(Duration.ofMillis(settings.get(Options.MAX_OUT_OF_ORDERNESS_MS)))
                .withTimestampAssigner(new EventTimes())
                .withIdleness(Duration.ofMillis(settings.get(Options.SOURCE_IDLE_TIMEOUT_MS)));

        SingleOutputStreamOperator<SpanEvent> spans = env
                .fromSource(source(settings, settings.get(Options.KAFKA_SPANS_TOPIC),
                        settings.get(Options.KAFKA_SPANS_ENCODING), OtlpKafkaSource.Signal.SPANS),
                        watermarks, OperatorIds.name(OperatorIds.SPANS_SOURCE))
                .uid(OperatorIds.SPANS_SOURCE)
                .process(new SpanRouter())
                .uid(OperatorIds.SPAN_ROUTER).name(OperatorIds.name(OperatorIds.SPAN_ROUTER));

        SingleOutputStreamOperator<LogEvent> logs = env
                .fromSource(source(settings, settings.get(Options.KAFKA_LOGS_TOPIC),
                        settings.get(Options.KAFKA_LOGS_ENCODING), OtlpKafkaSource.Signal.LOGS),
                        watermarks, OperatorIds.name(OperatorIds.LOGS_SOURCE))
                .uid(OperatorIds.LOGS_SOURCE)
                .process(new LogRouter())
                .uid(OperatorIds.LOG_ROUTER).name(OperatorIds.name(OperatorIds.LOG_ROUTER));

        SingleOutputStreamOperator<CorrelationRecord> records = spans.keyBy(new TraceIdOfSpan())
                .connect(logs.keyBy(new TraceIdOfLog()))
                .process(new TraceCorrelator(CorrelationSettings.from(settings)))
                .uid(OperatorIds.CORRELATOR).name(OperatorIds.name(OperatorIds.CORRELATOR));

        settings.redisUrl().ifPresent(url -> records.sinkTo(redisSink(settings, url))
                .uid(OperatorIds.REDIS_SINK).name(OperatorIds.name(OperatorIds.REDIS_SINK)));

        DataStream<DeadLetter> deadLetters = spans.getSideOutput(DeadLetters.TAG).union(logs.getSideOutput(DeadLetters.TAG));
        deadLetters.sinkTo(DeadLetterSink.create(settings.get(Options.KAFKA_BOOTSTRAP_SERVERS),
                        settings.get(Options.KAFKA_DLQ_TOPIC), settings.kafkaProperties()))
                .uid(OperatorIds.DLQ_SINK).name(OperatorIds.name(OperatorIds.DLQ_SINK));
        return new Streams(records, deadLetters);
    }

    private static org.apache.flink.connector.kafka.source.KafkaSource<TelemetryEnvelope> source(
            Settings settings, String topic, String encoding, OtlpKafkaSource.Signal signal) {
        return OtlpKafkaSource.builder()
                .setBootstrapServers(settings.get(Options.KAFKA_BOOTSTRAP_SERVERS))
                .setTopic(topic)
                .setSignal(signal)
                .setGroupId(settings.get(Options.KAFKA_GROUP_ID))
                .setEncoding(OtlpEncoding.parse(encoding))
                .setStartingOffsets(settings.get(Options.KAFKA_STARTING_OFFSETS))
                .setDefaultEnv(settings.get(Options.DEPLOYMENT_ENV))
                .setMaxMessageBytes(settings.get(Options.OTLP_MAX_BODY_BYTES).intValue())
                .setProperties(settings.kafkaProperties())
                .build();
    }

    private static RedisSink redisSink(Settings settings, String url) {
        return RedisSink.builder()
                .setRedisUri(url)
                .setRecordTtl(Duration.ofSeconds(settings.get(Options.CORRELATION_TTL_SECONDS)))
                .setMaxBatchSize(settings.get(Options.MAX_BATCH_SIZE))
                .setBatchWait(Duration.ofMillis(settings.get(Options.REDIS_BATCH_WAIT_MS)))
                .setRetryDelay(Duration.ofMillis(Math.round(settings.get(Options.EXPORT_RETRY_DELAY) * 1000)))
                .setRequestTimeout(Duration.ofMillis(Math.round(settings.get(Options.EXPORT_TIMEOUT) * 1000)))
                .setIndexTrimInterval(Duration.ofSeconds(settings.get(Options.INDEX_TRIM_INTERVAL_SECONDS)))
                .build();
    }
}
