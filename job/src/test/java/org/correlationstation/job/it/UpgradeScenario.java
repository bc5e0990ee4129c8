package org.correlationstation.job.it;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;
import org.correlationstation.core.testdata.TraceGenerator;
import org.correlationstation.core.testing.EmbeddedKafka;

/**
 * The input every release's savepoint is taken in, and the rest of it that the next release's job must
 * finish exactly ({@link SavepointMigrationITCase}). Fixed for good: the checked-in savepoints of every
 * release hold the Kafka offsets and the state of this very input, so changing a constant here orphans
 * them (job/src/test/resources/savepoints/README.md).
 *
 * <p>Two cohorts three hours apart in event time. The early one is complete before the savepoint and
 * closed by the watermark the late one moves: its state is what the job keeps for late events. The
 * late one has all its spans and the first half of its logs (by time) before the savepoint: open traces,
 * with trace-only logs still waiting for their inferred join (the join's processing-time wait,
 * {@code JOIN_MAX_WAIT_MS}, is as long as the window). After the savepoint come the late cohort's other
 * logs, one late log per early trace, naming its root span, and a watermark pusher. The sinks flush
 * at every checkpoint, so the savepoint holds their (empty) writer state, and what Loki and Tempo had
 * received by then is listed next to it.
 *
 * <p>Every message goes to a partition chosen from its position, never by Kafka's sticky partitioner, so
 * that a test producing the first part again gets the very offsets the savepoint's sources hold.
 */
final class UpgradeScenario {
    static final String NAME = "upgrade";
    static final int PARTITIONS = 2;
    static final long SLACK_MS = 1000;
    /** The window: a trace open in the savepoint closes on restore, once this long has passed since it was written. */
    static final long WINDOW_SECONDS = 300;
    /** Ten years: no held trace is cleared while a checked-in savepoint is in use. */
    static final long TTL_SECONDS = 10L * 365 * 24 * 3600;
    private static final int TRACES_PER_COHORT = 60;
    private static final int EVENTS_PER_MESSAGE = 8;
    private static final long EARLY_BASE = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
    private static final long LATE_BASE = EARLY_BASE + 3 * 3600_000L;

    final List<GeneratedTrace> early = new TraceGenerator(2101).baseTimeMillis(EARLY_BASE).traceSpacingMillis(10)
            .generate(TRACES_PER_COHORT);
    final List<GeneratedTrace> late = new TraceGenerator(2102).baseTimeMillis(LATE_BASE).traceSpacingMillis(10)
            .generate(TRACES_PER_COHORT);
    /** The late cohort's logs (with the untraced ones) by time: the first half goes in before the savepoint. */
    private final List<LogEvent> lateLogs = byTime(GeneratedTrace.allLogsWithUntraced(late), LogEvent::eventTimeMillis);
    final List<LogEvent> lateLogsBefore = lateLogs.subList(0, lateLogs.size() / 2);
    final List<LogEvent> lateLogsAfter = lateLogs.subList(lateLogs.size() / 2, lateLogs.size());
    /** One log per early trace after the savepoint, on its root span: a late event for a closed trace. */
    final List<LogEvent> earlyLateLogs = new ArrayList<>();

    UpgradeScenario() {
        for (GeneratedTrace t : early) {
            SpanEvent root = t.root();
            LogEvent log = new LogEvent();
            log.traceId = t.traceId();
            log.spanId = root.spanId;
            log.service = root.service;
            log.env = root.env;
            log.timeNanos = root.startTimeNanos;
            log.severityNumber = 9;
            log.body = "late after the upgrade";
            earlyLateLogs.add(log);
        }
    }

    /** The job's settings for this input. */
    static Map<String, String> settings() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_LOGS_ENCODING", "otlp_json");
        env.put("CORR_WINDOW_SECONDS", String.valueOf(WINDOW_SECONDS));
        env.put("JOIN_MAX_WAIT_MS", String.valueOf(WINDOW_SECONDS * 1000));
        env.put("CORRELATION_TTL_SECONDS", String.valueOf(TTL_SECONDS));
        env.put("EXPORT_BATCH_WAIT_MS", "200");
        return env;
    }

    /** Early cohort: spans, then (once they are in state) logs. */
    void earlySpans(EmbeddedKafka kafka) throws Exception {
        send(kafka, "-spans", GeneratedTrace.allSpans(early), SpanEvent::eventTimeMillis,
                chunk -> OtlpMessages.traces(chunk).toByteArray(), s -> s.traceId, 0);
    }

    void earlyLogs(EmbeddedKafka kafka) throws Exception {
        sendLogs(kafka, GeneratedTrace.allLogsWithUntraced(early), 0);
    }

    /** Late cohort's spans: their watermark closes the early cohort. */
    void lateSpans(EmbeddedKafka kafka) throws Exception {
        send(kafka, "-spans", GeneratedTrace.allSpans(late), SpanEvent::eventTimeMillis,
                chunk -> OtlpMessages.traces(chunk).toByteArray(), s -> s.traceId, messages(GeneratedTrace.allSpans(early)));
    }

    void lateLogsBefore(EmbeddedKafka kafka) throws Exception {
        sendLogs(kafka, lateLogsBefore, messages(GeneratedTrace.allLogsWithUntraced(early)));
    }

    /** Everything after the savepoint, the pusher last. */
    void rest(EmbeddedKafka kafka) throws Exception {
        int logsSent = messages(GeneratedTrace.allLogsWithUntraced(early)) + messages(lateLogsBefore);
        sendLogs(kafka, lateLogsAfter, logsSent);
        logsSent += messages(lateLogsAfter);
        sendLogs(kafka, earlyLateLogs, logsSent);
        logsSent += messages(earlyLateLogs);
        int spansSent = messages(GeneratedTrace.allSpans(early)) + messages(GeneratedTrace.allSpans(late));
        long future = late.stream().flatMap(t -> t.spans().stream()).mapToLong(SpanEvent::endMillis).max().orElseThrow()
                + 1_800_000;
        for (int p = 0; p < PARTITIONS; p++) {
            SpanEvent span = TelemetryProducer.pusherSpan(future, String.format("fffffffffffffff%x", p));
            LogEvent log = TelemetryProducer.pusherLog(future, "watermark " + p);
            kafka.produce(new ProducerRecord<>(NAME + "-spans", (spansSent + p) % PARTITIONS, null,
                    OtlpMessages.traces(List.of(span)).toByteArray()));
            kafka.produce(new ProducerRecord<>(NAME + "-logs", (logsSent + p) % PARTITIONS, null,
                    OtlpMessages.toJson(OtlpMessages.logs(List.of(log)))));
        }
    }

    /** Every record once the rest is in: the early traces with their late log, the late ones closed on restore. */
    Map<String, CorrelationRecord> expectedFinal() {
        Map<String, CorrelationRecord> expected = new HashMap<>();
        for (int i = 0; i < early.size(); i++) {
            GeneratedTrace t = early.get(i);
            List<LogEvent> logs = new ArrayList<>(t.logs());
            logs.add(earlyLateLogs.get(i));
            CorrelationRecord r = ExpectedRecord.of(t.traceId(), t.spans(), logs, SLACK_MS);
            r.lateEvents = 1;
            expected.put(t.traceId(), r);
        }
        for (GeneratedTrace t : late) {
            CorrelationRecord r = ExpectedRecord.of(t.traceId(), t.spans(), t.logs(), SLACK_MS);
            r.lateEvents = lateLogsAfter.stream().filter(l -> t.traceId().equals(l.traceId)).count();
            expected.put(t.traceId(), r);
        }
        return expected;
    }

    /** How many of a late trace's logs came before the savepoint. */
    long lateLogsBefore(String traceId) {
        return lateLogsBefore.stream().filter(l -> traceId.equals(l.traceId)).count();
    }

    private void sendLogs(EmbeddedKafka kafka, List<LogEvent> logs, int firstMessage) throws Exception {
        send(kafka, "-logs", logs, LogEvent::eventTimeMillis, chunk -> OtlpMessages.toJson(OtlpMessages.logs(chunk)),
                l -> l.traceId, firstMessage);
    }

    private static <E> void send(EmbeddedKafka kafka, String suffix, List<E> events, Function<E, Long> time,
            Function<List<E>, byte[]> encode, Function<E, String> traceOf, int firstMessage) throws Exception {
        List<E> sorted = byTime(events, time);
        int message = firstMessage;
        for (int i = 0; i < sorted.size(); i += EVENTS_PER_MESSAGE) {
            List<E> chunk = sorted.subList(i, Math.min(sorted.size(), i + EVENTS_PER_MESSAGE));
            String trace = traceOf.apply(chunk.get(0));
            kafka.produce(new ProducerRecord<>(NAME + suffix, message++ % PARTITIONS,
                    trace == null ? null : trace.getBytes(StandardCharsets.UTF_8), encode.apply(chunk)));
        }
    }

    private static int messages(List<?> events) {
        return (events.size() + EVENTS_PER_MESSAGE - 1) / EVENTS_PER_MESSAGE;
    }

    private static <E> List<E> byTime(List<E> events, Function<E, Long> time) {
        List<E> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(time));
        return sorted;
    }
}
