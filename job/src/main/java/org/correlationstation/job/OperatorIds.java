package org.correlationstation.job;

/**
 * Stable operator uids (a savepoint matches its state to operators by them: never change one without a migration note in
 * docs/) and the names shown in the Flink web UI.
 */
public final class OperatorIds {
    public static final String SPANS_SOURCE = "otlp-spans-source";
    public static final String LOGS_SOURCE = "otlp-logs-source";
    public static final String SPAN_ROUTER = "span-router";
    public static final String LOG_ROUTER = "log-router";
    public static final String CORRELATOR = "trace-correlator";
    public static final String REDIS_SINK = "redis-sink";
    public static final String GRAPH_AGGREGATOR = "service-graph-aggregator";
    public static final String REDIS_GRAPH_SINK = "redis-graph-sink";
    /** Local mode only: the service graph into the in-memory store. */
    public static final String MEMORY_GRAPH_SINK = "memory-graph-sink";
    public static final String DLQ_SINK = "dlq-sink";
    public static final String DECIDED_LOGS_TO_LOKI = "decided-logs-to-loki";
    public static final String UNCORRELATED_LOGS_TO_LOKI = "uncorrelated-logs-to-loki";
    public static final String LOKI_SINK = "loki-sink";
    public static final String TEMPO_SINK = "tempo-sink";
    /** Local mode only: records into the in-memory store the API serves. */
    public static final String MEMORY_STORE_SINK = "memory-store-sink";
    public static final String CORRELATIONS_TOPIC_SINK = "correlations-topic-sink";
    public static final String SPANS_TO_NORMALIZED = "spans-to-normalized";
    public static final String NORMALIZED_SPANS_SINK = "normalized-spans-sink";
    public static final String DECIDED_LOGS_TO_NORMALIZED = "decided-logs-to-normalized";
    public static final String UNCORRELATED_LOGS_TO_NORMALIZED = "uncorrelated-logs-to-normalized";
    public static final String NORMALIZED_LOGS_SINK = "normalized-logs-sink";

    private OperatorIds() {}

    /** The name shown in the web UI for an operator uid. */
    public static String name(String uid) {
        switch (uid) {
            case SPANS_SOURCE: return "OTLP spans (Kafka)";
            case LOGS_SOURCE: return "OTLP logs (Kafka)";
            case SPAN_ROUTER: return "Route spans";
            case LOG_ROUTER: return "Route logs";
            case CORRELATOR: return "Correlate traces";
            case REDIS_SINK: return "Correlations to Redis";
            case GRAPH_AGGREGATOR: return "Service graph per time bucket";
            case REDIS_GRAPH_SINK: return "Service graph to Redis";
            case MEMORY_GRAPH_SINK: return "Service graph to the in-memory store";
            case DLQ_SINK: return "Dead letters (Kafka)";
            case DECIDED_LOGS_TO_LOKI: return "Correlated logs as Loki entries";
            case UNCORRELATED_LOGS_TO_LOKI: return "Uncorrelated logs as Loki entries";
            case LOKI_SINK: return "Logs to Loki";
            case TEMPO_SINK: return "Spans to Tempo";
            case MEMORY_STORE_SINK: return "Correlations to the in-memory store";
            case CORRELATIONS_TOPIC_SINK: return "Correlations (Kafka, exactly-once)";
            case SPANS_TO_NORMALIZED: return "Spans as normalised JSON";
            case NORMALIZED_SPANS_SINK: return "Normalised spans (Kafka, exactly-once)";
            case DECIDED_LOGS_TO_NORMALIZED: return "Correlated logs as normalised JSON";
            case UNCORRELATED_LOGS_TO_NORMALIZED: return "Uncorrelated logs as normalised JSON";
            case NORMALIZED_LOGS_SINK: return "Normalised logs (Kafka, exactly-once)";
            default: throw new IllegalArgumentException("unknown operator uid " + uid);
        }
    }
}
