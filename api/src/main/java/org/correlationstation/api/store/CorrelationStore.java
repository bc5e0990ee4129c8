package org.correlationstation.api.store;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.correlationstation.core.graph.ServiceGraph;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;

/**
 * Where the query API reads correlation records from (SPEC §5–6): Redis in a cluster, memory in local
 * mode. Every call is asynchronous so that the HTTP layer can bound it by the query timeout. Ids and
 * service names reaching a store are already validated.
 */
public interface CorrelationStore extends AutoCloseable {
    /** {@code trace_id} is 32 lowercase hex (the API maps legacy ids first). */
    CompletableFuture<Optional<CorrelationRecord>> byTraceId(String traceId);

    /** {@code correlation_id} in lowercase canonical UUID form. */
    CompletableFuture<Optional<CorrelationRecord>> byCorrelationId(String correlationId);

    /**
     * The record of {@code trace_id} as its SPEC §4 JSON (UTF-8), what the API answers. Stores that
     * hold the JSON serve it as stored instead of decoding and re-encoding it; by default the record of
     * {@link #byTraceId} is encoded.
     */
    default CompletableFuture<Optional<byte[]>> recordJsonByTraceId(String traceId) {
        return byTraceId(traceId).thenApply(found -> found.map(RecordCodec::toJsonBytes));
    }

    /** As {@link #recordJsonByTraceId}, by {@code correlation_id}. */
    default CompletableFuture<Optional<byte[]>> recordJsonByCorrelationId(String correlationId) {
        return byCorrelationId(correlationId).thenApply(found -> found.map(RecordCodec::toJsonBytes));
    }

    /** Records newest {@code first_seen} first, filtered, one page at a time. */
    CompletableFuture<Page> query(CorrelationQuery query);

    /**
     * The service graph of the time buckets whose start lies in {@code [sinceMillis, untilMillis)},
     * each node's and edge's counts summed over them (a bucket is the granularity: one that starts
     * before {@code sinceMillis} is left out whole); only the elements involving {@code service}
     * (its node, and the edges where it is parent or child) when that is not null. A new graph per
     * call: the caller may keep it.
     */
    CompletableFuture<ServiceGraph> graph(long sinceMillis, long untilMillis, String service);

    /** Completes normally when the store answers; exceptionally when it is unreachable. */
    CompletableFuture<Void> ping();

    /** {@code memory} or {@code redis}: the {@code correlation_state_backend} gauge reads it. */
    Kind kind();

    @Override
    void close();

    enum Kind {
        MEMORY(0),
        REDIS(1);

        public final int gaugeValue;

        Kind(int gaugeValue) {
            this.gaugeValue = gaugeValue;
        }
    }
}
