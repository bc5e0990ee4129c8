package org.correlationstation.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.correlationstation.bench.load.SentTrace;
import org.correlationstation.bench.load.Signal;
import org.correlationstation.bench.load.TrafficProfile;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.junit.jupiter.api.Test;

/**
 * Every round of the pool is what its traces say, in both encodings, as the real decoder reads it: new
 * trace ids, the same counts, timestamps moved by the round's shift.
 */
class RequestPoolTest {
    private final OtlpDecoder decoder = new OtlpDecoder("dev", 64 << 20);
    private final RequestPool pool = RequestPool.generate(TrafficProfile.defaults().withLongTail(0).withLate(0, 0), 3, 20_000, 100_000);

    @Test
    void eachRoundHoldsItsTracesInBothEncodings() throws Exception {
        for (int round = 0; round < 3; round++) {
            Map<String, int[]> proto = decode(round, RequestPool.Encoding.PROTOBUF);
            Map<String, int[]> json = decode(round, RequestPool.Encoding.JSON);
            List<SentTrace> sent = pool.traces(round, round + 1);
            Map<String, int[]> expected = new HashMap<>();
            for (SentTrace t : sent) expected.put(t.traceId(), new int[] {t.spans(), t.logs()});
            assertThat(proto).usingRecursiveComparison().isEqualTo(expected);
            assertThat(json).usingRecursiveComparison().isEqualTo(expected);
        }
        Set<String> round0 = pool.traces(0, 1).stream().map(SentTrace::traceId).collect(Collectors.toSet());
        assertThat(pool.traces(1, 2)).noneMatch(t -> round0.contains(t.traceId()));
    }

    @Test
    void timestampsMoveByTheRoundsShiftAndOnlyForward() throws Exception {
        long shift0 = pool.shiftNanos(0);
        long shift2 = pool.shiftNanos(2);
        assertThat(shift2 - pool.shiftNanos(1)).isGreaterThan(0);
        int spans = 0;
        while (pool.signal(spans) != Signal.SPANS) spans++;
        for (RequestPool.Encoding encoding : RequestPool.Encoding.values()) {
            List<SpanEvent> first = decoder.decodeSpans(pool.body(spans, encoding), otlp(encoding));
            List<SpanEvent> later = decoder.decodeSpans(pool.body(2L * pool.size() + spans, encoding), otlp(encoding));
            assertThat(later).hasSameSizeAs(first);
            for (int i = 0; i < first.size(); i++) {
                assertThat(later.get(i).startTimeNanos - first.get(i).startTimeNanos).isEqualTo(shift2 - shift0);
                assertThat(later.get(i).spanId).isEqualTo(first.get(i).spanId);
            }
        }
    }

    @Test
    void patchesFixedWidthFields() {
        byte[] id = "0000000a0123".getBytes(StandardCharsets.US_ASCII);
        RequestPool.patchHexId(id, 0, 0x0f);
        assertThat(new String(id, StandardCharsets.US_ASCII)).isEqualTo("000000050123");
        byte[] time = "\"1790000000000000000\"".getBytes(StandardCharsets.US_ASCII);
        RequestPool.patchDecimal(time, 1, 12_345);
        assertThat(new String(time, StandardCharsets.US_ASCII)).isEqualTo("\"1790000000000012345\"");
        byte[] json = "{\"timeUnixNano\":\"1\",\"startTimeUnixNano\":\"2\",\"traceId\":\"ab\"}".getBytes(StandardCharsets.US_ASCII);
        assertThat(RequestPool.find(json, new String[] {"\"timeUnixNano\":\"", "\"startTimeUnixNano\":\""})).containsExactly(17, 41);
    }

    /** Trace id → {spans, logs with a trace id} over one round's requests. */
    private Map<String, int[]> decode(int round, RequestPool.Encoding encoding) throws Exception {
        Map<String, int[]> out = new HashMap<>();
        for (long i = (long) round * pool.size(); i < (long) (round + 1) * pool.size(); i++) {
            byte[] body = pool.body(i, encoding);
            if (pool.signal(i) == Signal.SPANS) {
                List<SpanEvent> spans = decoder.decodeSpans(body, otlp(encoding));
                assertThat(spans).hasSize(pool.events(i));
                for (SpanEvent s : spans) out.computeIfAbsent(s.traceId, k -> new int[2])[0]++;
            } else {
                List<LogEvent> logs = decoder.decodeLogs(body, otlp(encoding), 0);
                assertThat(logs).hasSize(pool.events(i));
                for (LogEvent l : logs) if (l.traceId != null) out.computeIfAbsent(l.traceId, k -> new int[2])[1]++;
            }
        }
        return out;
    }

    private static OtlpEncoding otlp(RequestPool.Encoding encoding) {
        return encoding == RequestPool.Encoding.JSON ? OtlpEncoding.OTLP_JSON : OtlpEncoding.OTLP_PROTO;
    }
}
