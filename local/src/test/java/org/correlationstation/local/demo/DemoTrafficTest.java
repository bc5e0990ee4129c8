package org.correlationstation.local.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.junit.jupiter.api.Test;

class DemoTrafficTest {
    private final OtlpDecoder decoder = new OtlpDecoder("dev", 4 << 20);

    @Test
    void aDemoTraceIsValidOtlpWithFourServicesOneRootAndAnInferredLog() throws Exception {
        try (DemoTraffic demo = new DemoTraffic(URI.create("http://localhost:1"), line -> {})) {
            for (int i = 0; i < 50; i++) {
                DemoTraffic.DemoTrace trace = demo.build(1_795_000_000_000L + i);
                List<SpanEvent> spans = decoder.decodeSpans(trace.spans().toByteArray(), OtlpEncoding.OTLP_PROTO);
                List<LogEvent> logs = decoder.decodeLogs(trace.logs().toByteArray(), OtlpEncoding.OTLP_PROTO, 0);

                assertThat(spans).hasSize(4).allSatisfy(s -> assertThat(s.traceId).isEqualTo(trace.traceId()));
                assertThat(spans.stream().map(s -> s.service).collect(Collectors.toSet()))
                        .isEqualTo(Set.of("frontend", "checkout", "inventory", "payments"));
                assertThat(spans.stream().filter(s -> s.parentSpanId == null || s.parentSpanId.isEmpty()))
                        .singleElement().satisfies(root -> assertThat(root.service).isEqualTo("frontend"));
                List<LogEvent> inTrace = logs.stream().filter(l -> trace.traceId().equals(l.traceId)).toList();
                assertThat(inTrace).hasSizeBetween(5, 6);
                assertThat(inTrace.stream().filter(l -> l.spanId == null || l.spanId.isEmpty())).hasSize(1);
            }
        }
    }
}
