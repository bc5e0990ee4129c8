package org.correlationstation.core.record;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The correlation record of one trace (SPEC §4). Every field is always present in its JSON; the
 * property order is fixed so that two records with the same content encode to the same bytes, which
 * the Redis compare-and-set relies on. Times are RFC 3339 strings with milliseconds, in UTC.
 */
@JsonPropertyOrder({"schema_version", "correlation_id", "trace_id", "legacy_trace_id", "status", "version",
        "first_seen", "last_seen", "duration_ms", "root", "service", "services", "env", "span_count", "log_count",
        "error_span_count", "error_log_count", "max_severity", "has_error", "edges", "links", "late_events",
        "truncated", "updated_at"})
public class CorrelationRecord {
    public static final int SCHEMA_VERSION = 1;
    public static final String OPEN = "open";
    public static final String CLOSED = "closed";

    public int schemaVersion = SCHEMA_VERSION;
    public String correlationId;
    public String traceId;
    public String legacyTraceId;
    public String status = OPEN;
    public long version;
    public String firstSeen;
    public String lastSeen;
    public long durationMs;
    public Root root;
    public String service;
    public List<String> services = new ArrayList<>();
    public String env;
    public long spanCount;
    public long logCount;
    public long errorSpanCount;
    public long errorLogCount;
    public String maxSeverity;
    public boolean hasError;
    public List<Edge> edges = new ArrayList<>();
    public List<Link> links = new ArrayList<>();
    public long lateEvents;
    public boolean truncated;
    public String updatedAt;

    public boolean isClosed() {
        return CLOSED.equals(status);
    }

    /** What the Redis compare-and-set compares first: how much of the trace this record has seen. */
    public long progress() {
        return spanCount + logCount + lateEvents;
    }

    @JsonPropertyOrder({"service", "operation", "span_id"})
    public static class Root {
        public String service;
        public String operation;
        public String spanId;

        public Root() {}

        public Root(String service, String operation, String spanId) {
            this.service = service;
            this.operation = operation;
            this.spanId = spanId;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Root r && Objects.equals(service, r.service)
                    && Objects.equals(operation, r.operation) && Objects.equals(spanId, r.spanId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(service, operation, spanId);
        }

        @Override
        public String toString() {
            return "Root{" + service + ", " + operation + ", " + spanId + "}";
        }
    }

    @JsonPropertyOrder({"parent", "child", "calls", "errors"})
    public static class Edge {
        public String parent;
        public String child;
        public long calls;
        public long errors;

        public Edge() {}

        public Edge(String parent, String child, long calls, long errors) {
            this.parent = parent;
            this.child = child;
            this.calls = calls;
            this.errors = errors;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Edge e && calls == e.calls && errors == e.errors
                    && Objects.equals(parent, e.parent) && Objects.equals(child, e.child);
        }

        @Override
        public int hashCode() {
            return Objects.hash(parent, child, calls, errors);
        }

        @Override
        public String toString() {
            return "Edge{" + parent + "->" + child + ", calls=" + calls + ", errors=" + errors + "}";
        }
    }

    @JsonPropertyOrder({"span_id", "span_name", "service", "log_count", "inferred_log_count"})
    public static class Link {
        public String spanId;
        public String spanName;
        public String service;
        public long logCount;
        public long inferredLogCount;

        public Link() {}

        public Link(String spanId, String spanName, String service, long logCount, long inferredLogCount) {
            this.spanId = spanId;
            this.spanName = spanName;
            this.service = service;
            this.logCount = logCount;
            this.inferredLogCount = inferredLogCount;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Link l && logCount == l.logCount && inferredLogCount == l.inferredLogCount
                    && Objects.equals(spanId, l.spanId) && Objects.equals(spanName, l.spanName)
                    && Objects.equals(service, l.service);
        }

        @Override
        public int hashCode() {
            return Objects.hash(spanId, logCount, inferredLogCount);
        }

        @Override
        public String toString() {
            return "Link{" + spanId + " " + spanName + "@" + service + ", logs=" + logCount
                    + ", inferred=" + inferredLogCount + "}";
        }
    }
}
