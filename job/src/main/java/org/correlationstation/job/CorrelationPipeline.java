package org.correlationstation.job;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.correlationstation.connectors.export.ExportOptions;
import org.correlationstation.connectors.kafka.DeadLetter;
import org.correlationstation.connectors.kafka.DeadLetterPublisher;
import org.correlationstation.connectors.kafka.DeadLetterSink;
import org.correlationstation.connectors.kafka.OtlpKafkaSource;
import org.correlationstation.connectors.kafka.TelemetryEnvelope;
import org.correlationstation.connectors.export.SinkSecurity;
import org.correlationstation.connectors.loki.LokiEntry;
import org.correlationstation.connectors.loki.LokiSink;
import org.correlationstation.connectors.loki.LokiSinkBuilder;
import org.correlationstation.connectors.redis.RedisGraphSink;
import org.correlationstation.connectors.redis.RedisSink;
import org.correlationstation.connectors.tempo.TempoSink;
import org.correlationstation.connectors.tempo.TempoSinkBuilder;
import org.correlationstation.core.config.HeaderList;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.core.logtext.TraceIdPatterns;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.job.correlate.CorrelationSettings;
import org.correlationstation.job.correlate.TraceCorrelator;
import org.correlationstation.job.correlate.TraceCorrelatorOperator;
import org.correlationstation.job.correlate.TraceIdOfLog;
import org.correlationstation.job.correlate.TraceIdOfSpan;
import org.correlationstation.job.loki.DecidedLogToLoki;
import org.correlationstation.job.loki.LokiDeadLetters;
import org.correlationstation.job.loki.UncorrelatedLogToLoki;
import org.correlationstation.job.route.DeadLetters;
import org.correlationstation.job.route.EventTimes;
import org.correlationstation.job.route.LogRouter;
import org.correlationstation.job.route.SpanRouter;
import org.correlationstation.job.route.WallClockCappedWatermarks;
import org.correlationstation.job.tempo.TempoDeadLetters;
import org.correlationstation.job.topics.NormalizedLog;
import org.correlationstation.job.topics.NormalizedSpan;
import org.correlationstation.job.graph.GraphAggregator;
import org.correlationstation.job.graph.GraphElementKey;
import org.correlationstation.job.topics.TopicSinks;
import org.correlationstation.job.types.CompactTypes;
import org.correlationstation.job.types.TraceLogs;
import org.correlationstation.job.types.TraceSpans;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the job: two OTLP Kafka sources with event-time watermarks → routers (dead letters aside) →
 * the trace correlator keyed by trace id → Redis; dead letters → the DLQ topic. Only wiring here; the
 * logic lives in the functions it connects.
 */
public final class CorrelationPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(CorrelationPipeline.class);

    private CorrelationPipeline() {}

    /** The streams the pipeline produces, for sinks that later issues add (Loki, Tempo, topics). */
    public record Streams(SingleOutputStreamOperator<CorrelationRecord> records, DataStream<DeadLetter> deadLetters,
            DataStream<GraphUpdate> graph) {}

    public static Streams build(StreamExecutionEnvironment env, Settings settings) {
        Duration outOfOrderness = Duration.ofMillis(settings.get(Options.MAX_OUT_OF_ORDERNESS_MS));
        WatermarkStrategy<TelemetryEnvelope> watermarks = WatermarkStrategy
                .<TelemetryEnvelope>forGenerator(
                        ctx -> new WallClockCappedWatermarks<>(outOfOrderness, System::currentTimeMillis))
                .withTimestampAssigner(new EventTimes())
                .withIdleness(Duration.ofMillis(settings.get(Options.SOURCE_IDLE_TIMEOUT_MS)));

        boolean tempo = settings.isSet(Options.TEMPO_GRPC_ENDPOINT) || settings.isSet(Options.TEMPO_HTTP_ENDPOINT);
        SingleOutputStreamOperator<TraceSpans> spans = env
                .fromSource(source(settings, settings.get(Options.KAFKA_SPANS_TOPIC),
                        settings.get(Options.KAFKA_SPANS_ENCODING), OtlpKafkaSource.spans().forwardOriginals(tempo)),
                        watermarks, OperatorIds.name(OperatorIds.SPANS_SOURCE))
                .uid(OperatorIds.SPANS_SOURCE)
                .process(new SpanRouter(), CompactTypes.TRACE_SPANS)
                .uid(OperatorIds.SPAN_ROUTER).name(OperatorIds.name(OperatorIds.SPAN_ROUTER));

        SingleOutputStreamOperator<TraceLogs> logs = env
                .fromSource(source(settings, settings.get(Options.KAFKA_LOGS_TOPIC),
                        settings.get(Options.KAFKA_LOGS_ENCODING), OtlpKafkaSource.logs().traceIdPatterns(
                                TraceIdPatterns.compile(settings.get(Options.LOG_TRACE_ID_PATTERNS),
                                        settings.get(Options.LOG_TRACE_ID_SCAN_BYTES)))),
                        watermarks, OperatorIds.name(OperatorIds.LOGS_SOURCE))
                .uid(OperatorIds.LOGS_SOURCE)
                .process(new LogRouter(), CompactTypes.TRACE_LOGS)
                .uid(OperatorIds.LOG_ROUTER).name(OperatorIds.name(OperatorIds.LOG_ROUTER));

        CorrelationSettings correlation = CorrelationSettings.from(settings);
        SingleOutputStreamOperator<CorrelationRecord> records = spans.keyBy(new TraceIdOfSpan(), CompactTypes.TRACE_ID_KEY)
                .connect(logs.keyBy(new TraceIdOfLog(), CompactTypes.TRACE_ID_KEY))
                .transform(OperatorIds.name(OperatorIds.CORRELATOR), CompactTypes.CORRELATION_RECORD,
                        new TraceCorrelatorOperator(correlation))
                .uid(OperatorIds.CORRELATOR);

        // The service graph: the correlator's increments summed per time bucket and element (docs/semantics.md).
        DataStream<GraphUpdate> graph = records.getSideOutput(TraceCorrelator.GRAPH_INCREMENTS)
                .keyBy(new GraphElementKey())
                .process(new GraphAggregator(correlation.emitIntervalMs,
                        Duration.ofMillis(correlation.windowMs + correlation.ttlMs)), CompactTypes.GRAPH_UPDATE)
                .uid(OperatorIds.GRAPH_AGGREGATOR).name(OperatorIds.name(OperatorIds.GRAPH_AGGREGATOR));

        if (settings.redisUrl().isPresent()) {
            RedisSink redis = redisSink(settings, settings.redisUrl().get());
            // Its own task: the async writer's timed flush waits for the batch in flight (one, to keep a
            // trace's records in order), and chained that wait stalled the correlator for a third of its time.
            records.sinkTo(redis)
                    .uid(OperatorIds.REDIS_SINK).name(OperatorIds.name(OperatorIds.REDIS_SINK))
                    .disableChaining();
            graph.sinkTo(RedisGraphSink.of(redis.options()))
                    .uid(OperatorIds.REDIS_GRAPH_SINK).name(OperatorIds.name(OperatorIds.REDIS_GRAPH_SINK));
        } else {
            LOG.warn("REDIS_URL is unset: correlation records are not stored by this job "
                    + "(local mode feeds its in-memory store from the records stream)");
        }

        Optional<String> lokiUrl = settings.find(Options.LOKI_URL);
        if (lokiUrl.isPresent()) {
            DataStream<LokiEntry> decided = records.getSideOutput(TraceCorrelator.DECIDED_LOGS)
                    .map(new DecidedLogToLoki(), CompactTypes.LOKI_ENTRY)
                    .uid(OperatorIds.DECIDED_LOGS_TO_LOKI).name(OperatorIds.name(OperatorIds.DECIDED_LOGS_TO_LOKI));
            DataStream<LokiEntry> uncorrelated = logs.getSideOutput(LogRouter.UNCORRELATED)
                    .map(new UncorrelatedLogToLoki(), CompactTypes.LOKI_ENTRY)
                    .uid(OperatorIds.UNCORRELATED_LOGS_TO_LOKI)
                    .name(OperatorIds.name(OperatorIds.UNCORRELATED_LOGS_TO_LOKI));
            decided.union(uncorrelated).sinkTo(lokiSink(settings, lokiUrl.get()))
                    .uid(OperatorIds.LOKI_SINK).name(OperatorIds.name(OperatorIds.LOKI_SINK));
        } else {
            LOG.info("LOKI_URL is unset: the Loki sink is off");
        }

        if (tempo) {
            spans.getSideOutput(SpanRouter.ORIGINALS).sinkTo(tempoSink(settings))
                    .uid(OperatorIds.TEMPO_SINK).name(OperatorIds.name(OperatorIds.TEMPO_SINK));
        } else {
            LOG.info("TEMPO_GRPC_ENDPOINT and TEMPO_HTTP_ENDPOINT are unset: the Tempo sink is off");
        }

        topics(settings, spans, logs, records);

        DataStream<DeadLetter> deadLetters = spans.getSideOutput(DeadLetters.TAG).union(logs.getSideOutput(DeadLetters.TAG));
        deadLetters.sinkTo(DeadLetterSink.builder()
                        .bootstrapServers(settings.get(Options.KAFKA_BOOTSTRAP_SERVERS))
                        .topic(settings.get(Options.KAFKA_DLQ_TOPIC))
                        .properties(settings.kafkaProperties())
                        .build())
                .uid(OperatorIds.DLQ_SINK).name(OperatorIds.name(OperatorIds.DLQ_SINK));
        return new Streams(records, deadLetters, graph);
    }

    /** The optional exactly-once topics (docs/sql.md); each is off while its option is unset. */
    private static void topics(Settings settings, DataStream<TraceSpans> spans, SingleOutputStreamOperator<TraceLogs> logs,
            SingleOutputStreamOperator<CorrelationRecord> records) {
        if (settings.isSet(Options.KAFKA_CORRELATIONS_TOPIC)) {
            records.sinkTo(TopicSinks.correlations(settings, OperatorIds.CORRELATIONS_TOPIC_SINK))
                    .uid(OperatorIds.CORRELATIONS_TOPIC_SINK).name(OperatorIds.name(OperatorIds.CORRELATIONS_TOPIC_SINK));
        }
        if (settings.isSet(Options.KAFKA_NORMALIZED_SPANS_TOPIC)) {
            spans.flatMap(NormalizedSpan::eachOf, TypeInformation.of(NormalizedSpan.class))
                    .uid(OperatorIds.SPANS_TO_NORMALIZED).name(OperatorIds.name(OperatorIds.SPANS_TO_NORMALIZED))
                    .sinkTo(TopicSinks.spans(settings, OperatorIds.NORMALIZED_SPANS_SINK))
                    .uid(OperatorIds.NORMALIZED_SPANS_SINK).name(OperatorIds.name(OperatorIds.NORMALIZED_SPANS_SINK));
        }
        if (settings.isSet(Options.KAFKA_NORMALIZED_LOGS_TOPIC)) {
            DataStream<NormalizedLog> decided = records.getSideOutput(TraceCorrelator.DECIDED_LOGS)
                    .map(NormalizedLog::decided)
                    .uid(OperatorIds.DECIDED_LOGS_TO_NORMALIZED)
                    .name(OperatorIds.name(OperatorIds.DECIDED_LOGS_TO_NORMALIZED));
            DataStream<NormalizedLog> uncorrelated = logs.getSideOutput(LogRouter.UNCORRELATED)
                    .map(NormalizedLog::withoutJoin)
                    .uid(OperatorIds.UNCORRELATED_LOGS_TO_NORMALIZED)
                    .name(OperatorIds.name(OperatorIds.UNCORRELATED_LOGS_TO_NORMALIZED));
            decided.union(uncorrelated).sinkTo(TopicSinks.logs(settings, OperatorIds.NORMALIZED_LOGS_SINK))
                    .uid(OperatorIds.NORMALIZED_LOGS_SINK).name(OperatorIds.name(OperatorIds.NORMALIZED_LOGS_SINK));
        }
    }

    private static KafkaSource<TelemetryEnvelope> source(
            Settings settings, String topic, String encoding, OtlpKafkaSource.Builder builder) {
        return builder
                .bootstrapServers(settings.get(Options.KAFKA_BOOTSTRAP_SERVERS))
                .topic(topic)
                .groupId(settings.get(Options.KAFKA_GROUP_ID))
                .encoding(OtlpEncoding.parse(encoding))
                .startingOffsets(settings.get(Options.KAFKA_STARTING_OFFSETS))
                .defaultEnv(settings.get(Options.DEPLOYMENT_ENV))
                .maxMessageBytes(Math.toIntExact(settings.get(Options.OTLP_MAX_BODY_BYTES)))
                .properties(settings.kafkaProperties())
                .build();
    }

    static LokiSink lokiSink(Settings settings, String url) {
        LokiSinkBuilder builder = LokiSink.builder()
                .setPushUrl(url)
                .setSecurity(new SinkSecurity(
                        settings.find(Options.LOKI_HEADERS).map(HeaderList::parse).orElse(Map.of()),
                        settings.find(Options.LOKI_CA_FILE).orElse(null),
                        settings.find(Options.LOKI_CLIENT_CERT_FILE).orElse(null),
                        settings.find(Options.LOKI_CLIENT_KEY_FILE).orElse(null)))
                .setExportOptions(ExportOptions.from(settings))
                .setRejectedBatchHandler(new LokiDeadLetters(deadLetterPublisher(settings)));
        settings.find(Options.LOKI_TENANT).ifPresent(builder::setTenant);
        return builder.build();
    }

    /** gRPC when both endpoints are set: it is Tempo's native OTLP receiver. */
    static TempoSink tempoSink(Settings settings) {
        TempoSinkBuilder builder = TempoSink.builder()
                .setSecurity(new SinkSecurity(
                        settings.find(Options.TEMPO_HEADERS).map(HeaderList::parse).orElse(Map.of()),
                        settings.find(Options.TEMPO_CA_FILE).orElse(null),
                        settings.find(Options.TEMPO_CLIENT_CERT_FILE).orElse(null),
                        settings.find(Options.TEMPO_CLIENT_KEY_FILE).orElse(null)))
                .setGzip("gzip".equals(settings.get(Options.TEMPO_COMPRESSION)))
                .setExportOptions(ExportOptions.from(settings))
                .setRejectedBatchHandler(new TempoDeadLetters(deadLetterPublisher(settings)));
        Optional<String> grpc = settings.find(Options.TEMPO_GRPC_ENDPOINT);
        if (grpc.isPresent()) {
            builder.setGrpcEndpoint(grpc.get());
        } else {
            builder.setHttpEndpoint(settings.get(Options.TEMPO_HTTP_ENDPOINT));
        }
        return builder.build();
    }

    static DeadLetterPublisher deadLetterPublisher(Settings settings) {
        return new DeadLetterPublisher(settings.get(Options.KAFKA_BOOTSTRAP_SERVERS), settings.get(Options.KAFKA_DLQ_TOPIC),
                settings.kafkaProperties());
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
                .setWaitReplicas(settings.get(Options.REDIS_WAIT_REPLICAS))
                .build();
    }
}
