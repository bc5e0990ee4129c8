package org.correlationstation.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.correlationstation.core.testdata.OtlpMessages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the generator says it sent is what the real decoder reads from the messages it produced. */
class TrafficGeneratorTest {
    private static final long NOW = 1_790_000_000_000L;
    private final OtlpDecoder decoder = new OtlpDecoder("dev", 64 << 20);

    @Test
    void manifestMatchesTheDecodedMessages(@TempDir Path dir) throws Exception {
        TrafficProfile profile = TrafficProfile.defaults().withLongTail(0.01).withLate(0.05, 1_000);
        TrafficGenerator generator = new TrafficGenerator(profile, 42);
        List<OtlpBatch> batches = new ArrayList<>();
        Path file = dir.resolve("sent.tsv");
        try (SentManifest manifest = new SentManifest(file)) {
            for (int i = 0; i < 2_000; i++) {
                long now = NOW + i * 10L;
                manifest.sent(generator.nextTrace(now, batches::add), 0);
                generator.releaseDue(now, batches::add);
            }
            generator.flush(batches::add);
        }
        List<SentTrace> sent = SentManifest.read(file);

        Map<String, int[]> decoded = new HashMap<>();   // trace id → spans, logs with span id, logs trace only, error spans
        long untraced = 0;
        for (OtlpBatch batch : batches) {
            assertThat(batch.events()).isBetween(1, profile.batchSize());
            if (batch.signal() == Signal.SPANS) {
                List<SpanEvent> spans = decoder.decodeSpans(batch.message().toByteArray(), OtlpEncoding.OTLP_PROTO);
                assertThat(spans).hasSize(batch.events());
                for (SpanEvent s : spans) {
                    int[] c = decoded.computeIfAbsent(s.traceId, k -> new int[4]);
                    c[0]++;
                    if (s.error) c[3]++;
                }
            } else {
                List<LogEvent> logs = decoder.decodeLogs(batch.message().toByteArray(), OtlpEncoding.OTLP_PROTO, NOW);
                assertThat(logs).hasSize(batch.events());
                for (LogEvent l : logs) {
                    if (l.traceId == null) {
                        untraced++;
                    } else {
                        decoded.computeIfAbsent(l.traceId, k -> new int[4])[l.spanId == null ? 2 : 1]++;
                    }
                }
            }
        }

        assertThat(sent).hasSize(2_000);
        assertThat(decoded).hasSize(2_000);
        for (SentTrace t : sent) {
            assertThat(decoded.get(t.traceId())).as(t.traceId())
                    .containsExactly(t.spans(), t.logsWithSpanId(), t.logsTraceOnly(), t.errorSpans());
        }
        assertThat(untraced).isEqualTo(generator.untracedLogs()).isPositive();
        assertThat(batches.stream().mapToLong(OtlpBatch::events).sum()).isEqualTo(generator.events());
        // the shape asked for: a long tail, late roots, and logs of every kind
        assertThat(sent.stream().mapToInt(SentTrace::spans).max().orElseThrow()).isGreaterThan(500);
        assertThat(sent.stream().filter(t -> t.lateSpans() > 0).count()).isBetween(40L, 200L);
        assertThat(sent.stream().mapToInt(SentTrace::logsTraceOnly).sum()).isPositive();
        assertThat(sent.stream().mapToInt(SentTrace::errorSpans).sum()).isPositive();
    }

    @Test
    void lateRootSpansGoOutOnlyAfterTheirDelay() throws Exception {
        TrafficProfile profile = TrafficProfile.defaults().withLongTail(0).withLate(1.0, 5_000);
        TrafficGenerator generator = new TrafficGenerator(profile, 7);
        List<OtlpBatch> batches = new ArrayList<>();
        SentTrace trace = generator.nextTrace(NOW, batches::add);
        generator.releaseDue(NOW + profile.batchTimeoutMs(), batches::add);   // the partial batch times out
        assertThat(spanCount(batches, trace.traceId())).isEqualTo(trace.spans() - 1);
        generator.releaseDue(NOW + 4_999, batches::add);
        assertThat(spanCount(batches, trace.traceId())).isEqualTo(trace.spans() - 1);
        generator.releaseDue(NOW + 5_000, batches::add);
        generator.flush(batches::add);
        assertThat(spanCount(batches, trace.traceId())).isEqualTo(trace.spans());
    }

    @Test
    void noTwoLogsOfATraceAreTheSameLogByTheDedupIdentity() throws Exception {
        // Traces as long as the long tail's, whose deepest spans are so short that their logs share a time,
        // and many logs per span, so that random steps would repeat: the correlator takes a second log with
        // the same time, span id and body as a redelivery (SPEC §3), and the manifest would count one too many.
        TrafficProfile defaults = TrafficProfile.defaults();
        TrafficProfile profile = new TrafficProfile(defaults.services(), 5_000, 0, 5_000, 20, 0, 0, 0, 0, 0, 0,
                defaults.batchSize(), defaults.batchTimeoutMs());
        TrafficGenerator generator = new TrafficGenerator(profile, 7);
        List<OtlpBatch> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) generator.nextTrace(NOW + i, batches::add);
        generator.flush(batches::add);
        Map<String, Long> identities = new HashMap<>();
        int logs = 0;
        for (OtlpBatch batch : batches) {
            if (batch.signal() != Signal.LOGS) continue;
            for (LogEvent log : decoder.decodeLogs(batch.message().toByteArray(), OtlpEncoding.OTLP_PROTO, NOW)) {
                logs++;
                String identity = log.traceId + " " + log.spanId + " " + log.timeNanos + " " + log.body;
                assertThat(identities.put(identity, log.fingerprint())).as(identity).isNull();
            }
        }
        assertThat(logs).as("~20 logs for each of 20,000 spans").isGreaterThan(300_000);
    }

    @Test
    void otlpJsonOfABatchDecodesToTheSameSpans() throws Exception {
        TrafficGenerator generator = new TrafficGenerator(TrafficProfile.defaults(), 3);
        List<OtlpBatch> batches = new ArrayList<>();
        generator.nextTrace(NOW, batches::add);
        generator.flush(batches::add);
        OtlpBatch spans = batches.stream().filter(b -> b.signal() == Signal.SPANS).findFirst().orElseThrow();
        assertThat(decoder.decodeSpans(OtlpMessages.toJson(spans.message()), OtlpEncoding.OTLP_JSON))
                .isEqualTo(decoder.decodeSpans(spans.message().toByteArray(), OtlpEncoding.OTLP_PROTO));
    }

    private long spanCount(List<OtlpBatch> batches, String traceId) throws Exception {
        long n = 0;
        for (OtlpBatch b : batches) {
            if (b.signal() != Signal.SPANS) continue;
            n += decoder.decodeSpans(b.message().toByteArray(), OtlpEncoding.OTLP_PROTO).stream()
                    .filter(s -> s.traceId.equals(traceId)).count();
        }
        return n;
    }
}
