package org.correlationstation.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;
import org.correlationstation.core.testdata.TraceGenerator;
import org.junit.jupiter.api.Test;

class TraceSplitterTest {
    private static final OtlpDecoder DECODER = new OtlpDecoder("test", Integer.MAX_VALUE);

    @Test
    void splitsARequestIntoOneMessagePerTraceKeepingResourcesAndScopes() throws Exception {
        List<GeneratedTrace> traces = new TraceGenerator(7).generate(5);
        List<SpanEvent> spans = GeneratedTrace.allSpans(traces);
        TracesData request = OtlpMessages.traces(spans);

        List<TracePart> parts = new TraceSplitter(1 << 20).split(request);

        assertThat(parts).extracting(TracePart::traceId)
                .containsExactlyElementsOf(traces.stream().map(GeneratedTrace::traceId).toList());
        for (TracePart part : parts) {
            TracesData data = (TracesData) part.data();
            List<SpanEvent> decoded = DECODER.spans(data);
            assertThat(decoded).allSatisfy(s -> assertThat(s.traceId).isEqualTo(part.traceId()));
            assertThat(part.items()).isEqualTo(decoded.size());
            // Only partitioned: each resource and scope is the request's, unchanged apart from its spans.
            for (ResourceSpans rs : data.getResourceSpansList()) {
                ResourceSpans original = request.getResourceSpansList().stream()
                        .filter(o -> o.getResource().equals(rs.getResource())).findFirst().orElseThrow();
                assertThat(rs.getSchemaUrl()).isEqualTo(original.getSchemaUrl());
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    assertThat(ss.getScope()).isEqualTo(original.getScopeSpans(0).getScope());
                }
            }
        }
        // Nothing lost, nothing duplicated, order within a trace kept.
        List<SpanEvent> all = new ArrayList<>();
        for (TracePart part : parts) all.addAll(DECODER.spans((TracesData) part.data()));
        assertThat(all).containsExactlyInAnyOrderElementsOf(DECODER.spans(request));
        Map<String, List<String>> byTrace = DECODER.spans(request).stream().collect(
                Collectors.groupingBy(s -> s.traceId, Collectors.mapping(s -> s.spanId, Collectors.toList())));
        for (TracePart part : parts) {
            assertThat(DECODER.spans((TracesData) part.data()).stream().map(s -> s.spanId).toList())
                    .containsExactlyInAnyOrderElementsOf(byTrace.get(part.traceId()));
        }
    }

    @Test
    void logsWithoutTraceIdGoToOneMessageWithNullKey() throws Exception {
        List<GeneratedTrace> traces = new TraceGenerator(11).generate(3);
        List<LogEvent> logs = GeneratedTrace.allLogsWithUntraced(traces);
        long untraced = logs.stream().filter(l -> l.traceId == null).count();
        assertThat(untraced).isPositive();

        List<TracePart> parts = new TraceSplitter(1 << 20).split(OtlpMessages.logs(logs));

        assertThat(parts).filteredOn(p -> p.traceId() == null).singleElement()
                .satisfies(p -> assertThat(p.items()).isEqualTo((int) untraced));
        assertThat(parts).filteredOn(p -> p.traceId() != null).extracting(TracePart::traceId)
                .containsExactlyInAnyOrderElementsOf(traces.stream().map(GeneratedTrace::traceId).toList());
        int total = 0;
        for (TracePart part : parts) {
            List<LogEvent> decoded = DECODER.logs((LogsData) part.data(), 0);
            assertThat(decoded).allSatisfy(l -> assertThat(l.traceId).isEqualTo(part.traceId()));
            total += decoded.size();
        }
        assertThat(total).isEqualTo(logs.size());
    }

    @Test
    void cutsATraceLargerThanTheMessageBudgetIntoSeveralMessagesWithTheSameKey() throws Exception {
        GeneratedTrace trace = new TraceGenerator(3).generate(1).get(0);
        List<SpanEvent> spans = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            for (SpanEvent s : trace.spans()) {
                SpanEvent copy = DECODER.spans(OtlpMessages.traces(List.of(s))).get(0);
                copy.spanId = String.format("%08x%08x", i + 1, spans.size() + 1);
                spans.add(copy);
            }
        }
        TracesData request = OtlpMessages.traces(spans);
        int budget = request.getSerializedSize() / 4;

        List<TracePart> parts = new TraceSplitter(budget).split(request);

        assertThat(parts).hasSizeGreaterThan(3);
        assertThat(parts).allSatisfy(p -> {
            assertThat(p.traceId()).isEqualTo(trace.traceId());
            assertThat(p.data().getSerializedSize()).isLessThanOrEqualTo(budget);
        });
        List<String> spanIds = new ArrayList<>();
        for (TracePart part : parts) DECODER.spans((TracesData) part.data()).forEach(s -> spanIds.add(s.spanId));
        assertThat(spanIds).containsExactlyElementsOf(
                DECODER.spans(request).stream().map(s -> s.spanId).toList());
    }

    @Test
    void aSingleSpanLargerThanTheBudgetStillGetsAMessage() throws Exception {
        GeneratedTrace trace = new TraceGenerator(5).maxSpansPerTrace(2).generate(1).get(0);
        List<TracePart> parts = new TraceSplitter(1).split(OtlpMessages.traces(trace.spans()));
        assertThat(parts).hasSize(trace.spans().size()).allSatisfy(p -> assertThat(p.items()).isEqualTo(1));
        assertThat(parts.stream().map(p -> p.traceId()).distinct()).containsExactly(trace.traceId());
    }

    @Test
    void partitionIsMurmur2OfTheHexTraceIdModuloTheSmallerPartitionCount() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        int p = TracePartitioner.partition(traceId, 6, 6);
        assertThat(p).isBetween(0, 5);
        // Kafka's default partitioner for the same key and count.
        int kafka = org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(traceId.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % 6;
        assertThat(p).isEqualTo(kafka);
        assertThat(TracePartitioner.partition(traceId, 6, 4)).isEqualTo(TracePartitioner.partition(traceId, 4, 9));
        assertThat(new TraceGenerator(1).generate(40).stream()
                .map(t -> TracePartitioner.partition(t.traceId(), 4, 4)).distinct().sorted(Comparator.naturalOrder()))
                .containsExactly(0, 1, 2, 3);
    }
}
