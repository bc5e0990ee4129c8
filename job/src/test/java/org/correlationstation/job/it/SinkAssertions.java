package org.correlationstation.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.correlationstation.connectors.testutil.LokiTestServer;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.Severity;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;
import org.correlationstation.job.loki.LokiEntries;

/**
 * What the end-to-end tests check in Loki and Tempo, whichever backend answers: the local test servers
 * ({@link CorrelationPipelineITCase}) or the real images ({@link GrafanaStackITCase}). Loki entries are
 * {@link LokiTestServer.Entry} either way (stream labels, time, line, structured metadata).
 */
final class SinkAssertions {
    private SinkAssertions() {}

    /**
     * A log's identity in Loki: trace, time and line. Exact duplicates of it are what Loki itself
     * deduplicates.
     */
    static String lokiKey(String traceId, long timeNanos, String line) {
        return traceId + "|" + timeNanos + "|" + line;
    }

    static Set<String> distinctLokiKeys(Collection<LokiTestServer.Entry> entries) {
        Set<String> keys = new HashSet<>();
        for (LokiTestServer.Entry e : entries) keys.add(lokiKey(e.metadata().get("trace_id"), e.timestampNanos(), e.line()));
        return keys;
    }

    static Set<String> lokiKeysOf(Collection<LogEvent> logs) {
        Set<String> keys = new HashSet<>();
        for (LogEvent l : logs) keys.add(lokiKey(l));
        return keys;
    }

    /** The key of a log's entry: its timestamp is the log's moved within its precision (LokiEntries). */
    static String lokiKey(LogEvent l) {
        return lokiKey(l.traceId, LokiEntries.timestampNanos(l), l.body);
    }

    /**
     * Every generated log (traced and untraced) is among {@code entries}, with its stream labels and the
     * structured metadata of its join: the correlation id, the span it carried or the one inferred for it
     * (from the spans within {@code slackMs}), and that span's name.
     */
    static void assertEveryLogInLoki(List<GeneratedTrace> traces, Collection<LokiTestServer.Entry> entries, long slackMs) {
        Map<String, LokiTestServer.Entry> byKey = new HashMap<>();
        for (LokiTestServer.Entry e : entries) byKey.put(lokiKey(e.metadata().get("trace_id"), e.timestampNanos(), e.line()), e);
        for (GeneratedTrace t : traces) {
            for (LogEvent log : t.logs()) {
                LokiTestServer.Entry e = byKey.get(lokiKey(log));
                assertThat(e).as("log of trace %s at %d in Loki", log.traceId, log.timeNanos).isNotNull();
                String span = log.spanId != null ? log.spanId : ExpectedRecord.innermost(t.spans(), log, slackMs);
                assertThat(e.metadata()).containsEntry("correlation_id", CorrelationIds.forTrace(t.traceId()))
                        .containsEntry("inferred_span", Boolean.toString(log.spanId == null && span != null));
                if (span != null) {
                    String name = t.spans().stream().filter(s -> s.spanId.equals(span)).findFirst().orElseThrow().name;
                    assertThat(e.metadata()).containsEntry("span_id", span).containsEntry("span_name", name);
                } else {
                    assertThat(e.metadata()).doesNotContainKeys("span_id", "span_name");
                }
                assertStreamLabels(e, log);
            }
            for (LogEvent log : t.untracedLogs()) {
                LokiTestServer.Entry e = byKey.get(lokiKey(log));
                assertThat(e).as("untraced log at %d in Loki", log.timeNanos).isNotNull();
                assertThat(e.metadata()).doesNotContainKeys("trace_id", "correlation_id");
                assertStreamLabels(e, log);
            }
        }
    }

    /** The low-cardinality stream labels of SPEC §7: service, environment, lowercase level. */
    private static void assertStreamLabels(LokiTestServer.Entry e, LogEvent log) {
        assertThat(e.labels()).containsEntry("service_name", log.service)
                .containsEntry("deployment_environment", log.env);
        String level = Severity.shortName(log.severityNumber);
        if (level != null) assertThat(e.labels()).containsEntry("level", level.toLowerCase(Locale.ROOT));
    }

    /**
     * Every produced span is among {@code received}, under a resource naming its service, and equal to
     * the span as produced once both pass through {@code comparable}: {@link Function#identity()} where
     * the receiver keeps the bytes it got, {@link #asStoredByTempo} for a store that rebuilds spans.
     */
    static void assertEverySpanArrived(List<SpanEvent> produced, List<ResourceSpans> received,
            Function<Span, ?> comparable) {
        Map<ByteString, Span> spans = new HashMap<>();
        Map<ByteString, Resource> resources = new HashMap<>();
        for (ResourceSpans rs : received) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span span : ss.getSpansList()) {
                    spans.put(span.getSpanId(), span);
                    resources.put(span.getSpanId(), rs.getResource());
                }
            }
        }
        for (SpanEvent span : produced) {
            ByteString id = OtlpMessages.id(span.spanId);
            assertThat(spans).as("span %s of trace %s", span.spanId, span.traceId).containsKey(id);
            assertThat(comparable.apply(spans.get(id))).as("span %s", span.spanId)
                    .isEqualTo(comparable.apply(OtlpMessages.span(span)));
            assertThat(resources.get(id).getAttributesList()).as("resource of span %s", span.spanId)
                    .contains(OtlpMessages.attribute("service.name", span.service));
        }
    }

    /**
     * A span as a store that rebuilds it from columns gives it back: attributes in key order (Tempo keeps
     * some in dedicated columns and re-adds them), and an empty status the same as none (Go's OTLP
     * structs always marshal it). Every field's value still counts.
     */
    static Span asStoredByTempo(Span span) {
        Span.Builder b = span.toBuilder().clearAttributes().addAllAttributes(sortedByKey(span.getAttributesList()));
        if (span.getStatus().equals(Status.getDefaultInstance())) b.clearStatus();
        return b.build();
    }

    private static List<KeyValue> sortedByKey(List<KeyValue> attributes) {
        return attributes.stream().sorted(Comparator.comparing(KeyValue::getKey)).toList();
    }
}
