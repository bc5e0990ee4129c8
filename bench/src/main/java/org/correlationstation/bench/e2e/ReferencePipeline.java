package org.correlationstation.bench.e2e;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.correlationstation.connectors.kafka.OtlpKafkaSource;
import org.correlationstation.connectors.kafka.TelemetryEnvelope;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.correlationstation.job.route.EventTimes;
import org.correlationstation.job.route.WallClockCappedWatermarks;

/**
 * The yardstick the job is compared with: the least a keyed, exactly-once, event-time job on this
 * input must do. The job's own Kafka sources and decoder → keyBy(trace id) → one RocksDB
 * {@code ValueState} update and one event-time timer per span and log → a sink that discards.
 * Events are counted in the keyed function (this JVM runs the MiniCluster, so a static counter works).
 */
public final class ReferencePipeline {
    /** Events the keyed function has processed since the last reset. */
    public static final LongAdder EVENTS = new LongAdder();
    /** How long after an event its timer fires: the same order as the job's correlation wait. */
    static final long TIMER_DELAY_MS = 10_000;

    private ReferencePipeline() {}

    /** What the reference keys and times: a POJO, so Flink serialises it without Kryo. */
    public static class Touch {
        public String traceId;
        public long timeMillis;

        public Touch() {}

        Touch(String traceId, long timeMillis) {
            this.traceId = traceId;
            this.timeMillis = timeMillis;
        }
    }

    public static void build(StreamExecutionEnvironment env, Settings settings) {
        Duration outOfOrderness = Duration.ofMillis(settings.get(Options.MAX_OUT_OF_ORDERNESS_MS));
        WatermarkStrategy<TelemetryEnvelope> watermarks = WatermarkStrategy
                .<TelemetryEnvelope>forGenerator(ctx -> new WallClockCappedWatermarks<>(outOfOrderness, System::currentTimeMillis))
                .withTimestampAssigner(new EventTimes())
                .withIdleness(Duration.ofMillis(settings.get(Options.SOURCE_IDLE_TIMEOUT_MS)));
        DataStream<Touch> spans = env.fromSource(source(settings, OtlpKafkaSource.spans(), settings.get(Options.KAFKA_SPANS_TOPIC)),
                        watermarks, "reference: spans source").uid("reference-spans-source")
                .flatMap((TelemetryEnvelope e, Collector<Touch> out) -> {
                    if (e.spans != null) for (SpanEvent span : e.spans) out.collect(new Touch(span.traceId, span.eventTimeMillis()));
                }, Types.POJO(Touch.class)).uid("reference-spans").name("reference: spans");
        DataStream<Touch> logs = env.fromSource(source(settings, OtlpKafkaSource.logs(), settings.get(Options.KAFKA_LOGS_TOPIC)),
                        watermarks, "reference: logs source").uid("reference-logs-source")
                .flatMap((TelemetryEnvelope e, Collector<Touch> out) -> {
                    if (e.logs != null) {
                        for (LogEvent log : e.logs) out.collect(new Touch(log.traceId == null ? "" : log.traceId, log.eventTimeMillis()));
                    }
                }, Types.POJO(Touch.class)).uid("reference-logs").name("reference: logs");
        spans.union(logs)
                .keyBy((KeySelector<Touch, String>) t -> t.traceId, Types.STRING)
                .process(new TouchCounter()).uid("reference-keyed-state").name("reference: state + timer")
                .sinkTo(new DiscardingSink()).uid("reference-discard").name("reference: discard");
    }

    private static org.apache.flink.connector.kafka.source.KafkaSource<TelemetryEnvelope> source(
            Settings settings, OtlpKafkaSource.Builder builder, String topic) {
        return builder.bootstrapServers(settings.get(Options.KAFKA_BOOTSTRAP_SERVERS))
                .topic(topic)
                .groupId(settings.get(Options.KAFKA_GROUP_ID))
                .encoding(OtlpEncoding.parse(settings.get(topic.equals(settings.get(Options.KAFKA_SPANS_TOPIC)) ? Options.KAFKA_SPANS_ENCODING : Options.KAFKA_LOGS_ENCODING)))
                .startingOffsets(settings.get(Options.KAFKA_STARTING_OFFSETS))
                .maxMessageBytes(Math.toIntExact(settings.get(Options.OTLP_MAX_BODY_BYTES)))
                .build();
    }

    /** Per event: read-modify-write of a count in RocksDB and an event-time timer; on the timer, emit and clear. */
    static final class TouchCounter extends KeyedProcessFunction<String, Touch, Long> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext openContext) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(Touch touch, Context ctx, Collector<Long> out) throws Exception {
            Long n = count.value();
            count.update(n == null ? 1 : n + 1);
            ctx.timerService().registerEventTimeTimer(touch.timeMillis + TIMER_DELAY_MS);
            EVENTS.increment();
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<Long> out) throws Exception {
            Long n = count.value();
            if (n != null) {
                out.collect(n);
                count.clear();
            }
        }
    }

    /** Drops everything (Sink V2). */
    static final class DiscardingSink implements Sink<Long> {
        @Override
        public SinkWriter<Long> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Long element, Context context) {}

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
