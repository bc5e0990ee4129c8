package org.correlationstation.job.correlate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.correlationstation.core.model.Severity;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;

/** Turns a trace's state into its record (SPEC §4). Pure: the same state gives the same record. */
final class RecordAssembler {
    private RecordAssembler() {}

    /**
     * The record without {@code version} and {@code updated_at}, which the emitter sets. {@code truncated}
     * is also set when there were more links than {@code maxLinks}.
     */
    static CorrelationRecord assemble(TraceSummary s, Map<String, SpanInfo> spans, Map<String, LinkCounts> links,
            int maxLinks) {
        CorrelationRecord r = new CorrelationRecord();
        r.correlationId = s.correlationId;
        r.traceId = s.traceId;
        r.legacyTraceId = s.legacyTraceId;
        r.status = s.closed ? CorrelationRecord.CLOSED : CorrelationRecord.OPEN;
        r.firstSeen = RecordCodec.formatTime(s.firstSeen);
        r.lastSeen = RecordCodec.formatTime(s.lastSeen);
        r.durationMs = s.spanCount > 0 ? s.maxSpanEnd - s.minSpanStart : s.lastSeen - s.firstSeen;
        r.root = s.hasRoot ? new CorrelationRecord.Root(s.rootService, s.rootOperation, s.rootSpanId) : null;
        r.services = new ArrayList<>(Arrays.asList(s.services));
        r.service = s.hasRoot ? s.rootService : (s.services.length > 0 ? s.services[0] : null);
        r.env = s.hasRoot && s.rootEnv != null ? s.rootEnv : s.minEnv;
        r.spanCount = s.spanCount;
        r.logCount = s.logCount;
        r.errorSpanCount = s.errorSpanCount;
        r.errorLogCount = s.errorLogCount;
        r.maxSeverity = Severity.shortName(s.maxSeverity);
        r.hasError = s.errorSpanCount > 0 || s.errorLogCount > 0;
        r.edges = edges(spans, s.services);
        List<CorrelationRecord.Link> all = links(spans, links, s.services);
        r.links = all.size() > maxLinks ? new ArrayList<>(all.subList(0, maxLinks)) : all;
        r.lateEvents = s.lateEvents;
        r.truncated = s.truncated || all.size() > maxLinks;
        return r;
    }

    /**
     * Parent→child pairs across services, per service pair, sorted by (parent, child); only pairs of
     * services the record lists (the services cap is one rule for {@code services}, edges and links).
     */
    static List<CorrelationRecord.Edge> edges(Map<String, SpanInfo> spans, String[] services) {
        // Grouped by hash and sorted once: a key string built per span was a fifth of the emission's time.
        Map<ServicePair, CorrelationRecord.Edge> byPair = new HashMap<>();
        for (SpanInfo child : spans.values()) {
            if (child.parentSpanId == null) continue;
            SpanInfo parent = spans.get(child.parentSpanId);
            if (parent == null || parent.service.equals(child.service)) continue;
            if (!listed(services, parent.service) || !listed(services, child.service)) continue;
            CorrelationRecord.Edge edge = byPair.computeIfAbsent(new ServicePair(parent.service, child.service),
                    k -> new CorrelationRecord.Edge(k.parent, k.child, 0, 0));
            edge.calls++;
            if (child.error) edge.errors++;
        }
        List<CorrelationRecord.Edge> edges = new ArrayList<>(byPair.values());
        edges.sort(BY_PAIR);
        return edges;
    }

    private static boolean listed(String[] services, String service) {
        return service != null && Arrays.binarySearch(services, service) >= 0;
    }

    private record ServicePair(String parent, String child) {}

    private static final Comparator<CorrelationRecord.Edge> BY_PAIR =
            Comparator.<CorrelationRecord.Edge, String>comparing(e -> e.parent).thenComparing(e -> e.child);

    /**
     * Known (tracked) spans of listed services with at least one log, earliest span start first (ties:
     * span id), all of them: the caller takes the first {@code MAX_LINKS_PER_TRACE}. A link counts
     * against the cap only once its span is known, so logs naming spans that never arrive (tail
     * sampling) or that are beyond the tracking cap take no slot.
     */
    static List<CorrelationRecord.Link> links(Map<String, SpanInfo> spans, Map<String, LinkCounts> counts,
            String[] services) {
        List<Map.Entry<String, SpanInfo>> withLogs = new ArrayList<>();
        for (Map.Entry<String, LinkCounts> e : counts.entrySet()) {
            SpanInfo span = spans.get(e.getKey());
            if (span != null && e.getValue().logCount > 0 && listed(services, span.service)) {
                withLogs.add(Map.entry(e.getKey(), span));
            }
        }
        withLogs.sort(Comparator.<Map.Entry<String, SpanInfo>>comparingLong(e -> e.getValue().startNanos)
                .thenComparing(Map.Entry::getKey));
        List<CorrelationRecord.Link> out = new ArrayList<>(withLogs.size());
        for (Map.Entry<String, SpanInfo> e : withLogs) {
            LinkCounts c = counts.get(e.getKey());
            out.add(new CorrelationRecord.Link(e.getKey(), e.getValue().name, e.getValue().service,
                    c.logCount, c.inferredLogCount));
        }
        return out;
    }
}
