package org.correlationstation.connectors.loki;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One log line for Loki (SPEC §7): the three stream labels, the timestamp, the line, and the
 * structured metadata. A Flink POJO (public fields, no-argument constructor); the metadata map is
 * serialised by Flink natively. Metadata keys may be given as they come ({@code http.method}): the
 * encoder makes them Loki-safe ({@code http_method}) and enforces Loki's limits.
 */
public class LokiEntry implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Stream label {@code service_name}. Null or empty: {@code unknown_service}. */
    public String serviceName;
    /** Stream label {@code deployment_environment}. Null or empty: the label is left out. */
    public String deploymentEnvironment;
    /** Stream label {@code level} (e.g. {@code info}). Null or empty: the label is left out. */
    public String level;
    /** Nanoseconds since the epoch. */
    public long timestampNanos;
    /** The log line: the body as is when a string, else compact JSON. Null: empty line. */
    public String line;
    /**
     * Structured metadata: {@code trace_id}, {@code span_id}, {@code correlation_id},
     * {@code span_name}, {@code inferred_span}, {@code trace_id_source} (kept first when truncating), then the
     * log's attributes.
     */
    public Map<String, String> structuredMetadata = new LinkedHashMap<>();

    public LokiEntry() {}

    public LokiEntry(String serviceName, String deploymentEnvironment, String level, long timestampNanos, String line,
            Map<String, String> structuredMetadata) {
        this.serviceName = serviceName;
        this.deploymentEnvironment = deploymentEnvironment;
        this.level = level;
        this.timestampNanos = timestampNanos;
        this.line = line;
        this.structuredMetadata = structuredMetadata == null ? new LinkedHashMap<>() : structuredMetadata;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LokiEntry e)) {
            return false;
        }
        return timestampNanos == e.timestampNanos && Objects.equals(serviceName, e.serviceName)
                && Objects.equals(deploymentEnvironment, e.deploymentEnvironment) && Objects.equals(level, e.level)
                && Objects.equals(line, e.line) && Objects.equals(structuredMetadata, e.structuredMetadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(serviceName, deploymentEnvironment, level, timestampNanos, line, structuredMetadata);
    }

    @Override
    public String toString() {
        return "LokiEntry{" + serviceName + "/" + deploymentEnvironment + "/" + level + " @" + timestampNanos + " "
                + line + " " + structuredMetadata + "}";
    }
}
