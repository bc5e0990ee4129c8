package org.correlationstation.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.correlationstation.bench.load.OtlpBatch;
import org.correlationstation.bench.load.Signal;
import org.correlationstation.bench.load.TrafficGenerator;
import org.correlationstation.bench.load.TrafficProfile;
import org.junit.jupiter.api.Test;

/** The walk counts what protobuf parses, and its offsets point at every trace id and timestamp. */
class OtlpShapeTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void countsAndLocatesWhatProtobufParses() throws Exception {
        TrafficGenerator generator = new TrafficGenerator(TrafficProfile.defaults().withLongTail(0.01), 7);
        List<OtlpBatch> batches = new ArrayList<>();
        for (int i = 0; i < 300; i++) generator.nextTrace(1_790_000_000_000L + i, batches::add);
        generator.flush(batches::add);
        long events = 0;
        for (OtlpBatch batch : batches) {
            byte[] bytes = batch.message().toByteArray();
            List<String> ids = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            int n = OtlpShape.walk(bytes, batch.signal(), new OtlpShape.Offsets() {
                @Override
                public void traceId(int offset) {
                    ids.add(HEX.formatHex(bytes, offset, offset + 16));
                }

                @Override
                public void timestamp(int offset) {
                    long v = 0;
                    for (int i = 7; i >= 0; i--) v = (v << 8) | (bytes[offset + i] & 0xff);
                    times.add(v);
                }
            });
            assertThat(n).isEqualTo(batch.events()).isEqualTo(OtlpShape.count(bytes, batch.signal()));
            List<String> expectedIds = new ArrayList<>();
            List<Long> expectedTimes = new ArrayList<>();
            if (batch.signal() == Signal.SPANS) {
                TracesData.parseFrom(bytes).getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss -> {
                    for (Span s : ss.getSpansList()) {
                        expectedIds.add(HEX.formatHex(s.getTraceId().toByteArray()));
                        expectedTimes.add(s.getStartTimeUnixNano());
                        expectedTimes.add(s.getEndTimeUnixNano());
                    }
                }));
            } else {
                LogsData.parseFrom(bytes).getResourceLogsList().forEach(rl -> rl.getScopeLogsList().forEach(sl -> {
                    for (LogRecord r : sl.getLogRecordsList()) {
                        if (!r.getTraceId().isEmpty()) expectedIds.add(HEX.formatHex(r.getTraceId().toByteArray()));
                        expectedTimes.add(r.getTimeUnixNano());
                        expectedTimes.add(r.getObservedTimeUnixNano());
                    }
                }));
            }
            assertThat(ids).isEqualTo(expectedIds);
            assertThat(times).isEqualTo(expectedTimes);
            events += n;
        }
        assertThat(events).isEqualTo(generator.events());
    }

    @Test
    void anEmptyMessageHasNoEvents() {
        assertThat(OtlpShape.count(new byte[0], Signal.SPANS)).isZero();
        assertThat(OtlpShape.count(LogsData.getDefaultInstance().toByteArray(), Signal.LOGS)).isZero();
    }
}
