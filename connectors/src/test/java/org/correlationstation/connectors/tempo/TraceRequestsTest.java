package org.correlationstation.connectors.tempo;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.connector.base.sink.writer.Batch;
import org.apache.flink.connector.base.sink.writer.DequeRequestBuffer;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.junit.jupiter.api.Test;

class TraceRequestsTest {

    @Test
    void mergedMessagesAreOneRequestWithEveryResourceSpansByteIdentical() throws Exception {
        TracesData a = TestTraces.tracesData("checkout", 3);
        TracesData b = TestTraces.tracesData("payments", 1);
        TracesData c = TracesData.newBuilder().addAllResourceSpans(TestTraces.tracesData("gateway", 2).getResourceSpansList())
                .addAllResourceSpans(TestTraces.tracesData("db", 2).getResourceSpansList()).build();
        List<TracesEntry> entries = List.of(entry(a), entry(b), entry(c));

        byte[] merged = TraceRequests.merge(entries);
        ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(merged);

        List<ResourceSpans> expected = new ArrayList<>();
        for (TracesData d : List.of(a, b, c)) {
            expected.addAll(d.getResourceSpansList());
        }
        assertThat(request.getResourceSpansList()).isEqualTo(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(request.getResourceSpans(i).toByteString()).isEqualTo(expected.get(i).toByteString());
        }
        assertThat(request.getUnknownFields().asMap()).isEmpty();
        assertThat(TraceRequests.spans(entries)).isEqualTo(8);
    }

    @Test
    void aSingleMessageIsSentAsItIs() {
        TracesEntry only = entry(TestTraces.tracesData("checkout", 2));
        assertThat(TraceRequests.merge(List.of(only))).isSameAs(only.tracesData());
    }

    @Test
    void batchesAreCutBySpansAndBytesButNeverEmpty() {
        DequeRequestBuffer<TracesEntry> buffer = new DequeRequestBuffer<>();
        TracesEntry big = entry(TestTraces.tracesData("big", 12));
        List<TracesEntry> small = List.of(entry(TestTraces.tracesData("s", 2)), entry(TestTraces.tracesData("s", 2)),
                entry(TestTraces.tracesData("s", 2)));
        buffer.add(new RequestEntryWrapper<>(big, 10), false);
        for (TracesEntry e : small) {
            buffer.add(new RequestEntryWrapper<>(e, 2), false);
        }
        TracesBatchCreator creator = new TracesBatchCreator(5, Long.MAX_VALUE);

        Batch<TracesEntry> first = creator.createNextBatch(() -> 100, buffer);
        Batch<TracesEntry> second = creator.createNextBatch(() -> 100, buffer);
        Batch<TracesEntry> third = creator.createNextBatch(() -> 100, buffer);

        assertThat(first.getBatchEntries()).containsExactly(big); // over the limit alone, still sent
        assertThat(second.getBatchEntries()).containsExactly(small.get(0), small.get(1));
        assertThat(third.getBatchEntries()).containsExactly(small.get(2));

        long two = small.get(0).tracesData().length + small.get(1).tracesData().length;
        DequeRequestBuffer<TracesEntry> buffer2 = new DequeRequestBuffer<>();
        for (TracesEntry e : small) {
            buffer2.add(new RequestEntryWrapper<>(e, 2), false);
        }
        assertThat(new TracesBatchCreator(1000, two).createNextBatch(() -> 100, buffer2)
                .getBatchEntries()).hasSize(2);
    }

    private static TracesEntry entry(TracesData data) {
        return TracesEntry.of(TestTraces.otlp(data));
    }
}
