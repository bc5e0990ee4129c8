package org.correlationstation.job.it;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.Severity;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;

/**
 * An independent reference for what a closed trace's record must say (SPEC §4), computed from the
 * generated events alone, for input where every span is known before its logs are decided.
 */
final class ExpectedRecord {
    private ExpectedRecord() {}

    static CorrelationRecord of(String traceId, List<SpanEvent> spans, List<LogEvent> logs, long slackMs) {
        CorrelationRecord r = new CorrelationRecord();
        r.correlationId = CorrelationIds.forTrace(traceId);
        r.traceId = traceId;
        r.status = CorrelationRecord.CLOSED;
        long first = Long.MAX_VALUE, last = Long.MIN_VALUE, minStart = Long.MAX_VALUE, maxEnd = Long.MIN_VALUE;
        TreeSet<String> services = new TreeSet<>();
        TreeSet<String> envs = new TreeSet<>();
        Map<String, SpanEvent> byId = new HashMap<>();
        SpanEvent root = null;
        for (SpanEvent s : spans) {
            byId.put(s.spanId, s);
            first = Math.min(first, s.eventTimeMillis());
            last = Math.max(last, s.eventTimeMillis());
            minStart = Math.min(minStart, s.startMillis());
            maxEnd = Math.max(maxEnd, s.endMillis());
            services.add(s.service);
            envs.add(s.env);
            if (s.error) r.errorSpanCount++;
            if (s.parentSpanId == null && (root == null || s.startTimeNanos < root.startTimeNanos)) root = s;
        }
        int maxSeverity = 0;
        Map<String, long[]> links = new HashMap<>();
        for (LogEvent l : logs) {
            first = Math.min(first, l.eventTimeMillis());
            last = Math.max(last, l.eventTimeMillis());
            services.add(l.service);
            envs.add(l.env);
            if (l.severityNumber >= 17) r.errorLogCount++;
            maxSeverity = Math.max(maxSeverity, l.severityNumber);
            String target = l.spanId;
            boolean inferred = false;
            if (target == null) {
                target = innermost(spans, l, slackMs);
                inferred = target != null;
            }
            if (target != null) {
                long[] c = links.computeIfAbsent(target, k -> new long[2]);
                c[0]++;
                if (inferred) c[1]++;
            }
        }
        r.firstSeen = RecordCodec.formatTime(first);
        r.lastSeen = RecordCodec.formatTime(last);
        r.durationMs = spans.isEmpty() ? last - first : maxEnd - minStart;
        r.root = root == null ? null : new CorrelationRecord.Root(root.service, root.name, root.spanId);
        r.services = new ArrayList<>(services);
        r.service = root != null ? root.service : services.first();
        r.env = root != null ? root.env : envs.first();
        r.spanCount = spans.size();
        r.logCount = logs.size();
        r.maxSeverity = Severity.shortName(maxSeverity);
        r.hasError = r.errorSpanCount + r.errorLogCount > 0;

        Map<String, CorrelationRecord.Edge> edges = new TreeMap<>();
        for (SpanEvent child : spans) {
            SpanEvent parent = child.parentSpanId == null ? null : byId.get(child.parentSpanId);
            if (parent == null || parent.service.equals(child.service)) continue;
            CorrelationRecord.Edge e = edges.computeIfAbsent(parent.service + "\u0000" + child.service,
                    k -> new CorrelationRecord.Edge(parent.service, child.service, 0, 0));
            e.calls++;
            if (child.error) e.errors++;
        }
        r.edges = new ArrayList<>(edges.values());
        List<SpanEvent> linked = new ArrayList<>();
        for (String id : links.keySet()) if (byId.containsKey(id)) linked.add(byId.get(id));
        linked.sort(Comparator.comparingLong((SpanEvent s) -> s.startTimeNanos).thenComparing(s -> s.spanId));
        for (SpanEvent s : linked) {
            long[] c = links.get(s.spanId);
            r.links.add(new CorrelationRecord.Link(s.spanId, s.name, s.service, c[0], c[1]));
        }
        return r;
    }

    /** A record's JSON with the fields a reference cannot know (version, updated_at) blanked. */
    static String comparable(CorrelationRecord record) {
        CorrelationRecord r = RecordCodec.fromJson(RecordCodec.toJson(record));
        r.version = 0;
        r.updatedAt = null;
        return RecordCodec.toJson(r);
    }

    static String innermost(List<SpanEvent> spans, LogEvent log, long slackMs) {
        SpanEvent best = null;
        long t = log.timeNanos;
        long slack = slackMs * 1_000_000L;
        for (SpanEvent s : spans) {
            if (!s.service.equals(log.service) || t < s.startTimeNanos - slack || t > s.endTimeNanos + slack) continue;
            if (best == null || s.startTimeNanos > best.startTimeNanos
                    || (s.startTimeNanos == best.startTimeNanos && s.spanId.compareTo(best.spanId) < 0)) best = s;
        }
        return best == null ? null : best.spanId;
    }
}
