package org.correlationstation.core.redis;

/**
 * The Redis key layout (SPEC §5), shared by the job's sink and the query API. Every key is built
 * from a validated id or service name; nothing here accepts raw request input.
 */
public final class RedisKeys {
    public static final String TIME_INDEX = "corr:time_index";
    public static final String ERRORS_INDEX = "corr:errors";
    /** Sorted set: member correlation_id, score the epoch ms at which its record expires. */
    public static final String EXPIRIES = "corr:expiries";

    /** Sorted set: member and score a service-graph bucket's start in epoch ms ({@link #graphBucket}). */
    public static final String GRAPH_BUCKETS = "corr:graph:buckets";

    private RedisKeys() {}

    /** Hash of one service-graph time bucket: field per node or edge, value its counts (GraphCodec). */
    public static String graphBucket(long bucketStartMillis) {
        return "corr:graph:" + bucketStartMillis;
    }

    public static String record(String correlationId) {
        return "corr:" + correlationId;
    }

    public static String trace(String traceId) {
        return "corr:trace:" + traceId;
    }

    public static String service(String service) {
        return "corr:svc:" + service;
    }

    /** Set of the index keys a record was added to, so that the trimmer can remove it from all of them. */
    public static String indexesOf(String correlationId) {
        return "corr:idx:" + correlationId;
    }
}
