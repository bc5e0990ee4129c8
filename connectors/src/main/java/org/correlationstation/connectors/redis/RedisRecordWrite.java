package org.correlationstation.connectors.redis;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;

/**
 * One record as the sink buffers it: the encoded JSON (what gets stored, and all the checkpointed
 * state holds) plus the fields the writes need, so that a batch is not decoded again.
 */
public final class RedisRecordWrite implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String json;
    private final String correlationId;
    private final String traceId;
    private final long firstSeenMillis;
    private final List<String> services;
    private final boolean hasError;
    private final long progress;
    private final boolean closed;
    private final long version;

    private RedisRecordWrite(String json, CorrelationRecord record) {
        if (record.traceId == null || record.traceId.isEmpty()) {
            throw new IllegalArgumentException("a correlation record without trace_id cannot be stored");
        }
        if (record.firstSeen == null) {
            throw new IllegalArgumentException("correlation record of trace " + record.traceId + " has no first_seen");
        }
        this.json = json;
        this.traceId = record.traceId;
        this.correlationId = record.correlationId != null ? record.correlationId : CorrelationIds.forTrace(record.traceId);
        this.firstSeenMillis = RecordCodec.parseTime(record.firstSeen);
        this.services = record.services == null ? List.of() : List.copyOf(record.services);
        this.hasError = record.hasError;
        this.progress = record.progress();
        this.closed = record.isClosed();
        this.version = record.version;
    }

    public static RedisRecordWrite of(CorrelationRecord record) {
        return new RedisRecordWrite(RecordCodec.toJson(record), record);
    }

    /** Rebuilds a buffered write from its JSON (checkpoint restore). */
    public static RedisRecordWrite fromJson(String json) {
        return new RedisRecordWrite(json, RecordCodec.fromJson(json));
    }

    /**
     * The CAS order of SPEC §5: progress, then closed over open. True on ties, because a tie is
     * written (the later emission wins).
     */
    public boolean isAtLeastAsAdvancedAs(RedisRecordWrite other) {
        if (progress != other.progress) {
            return progress > other.progress;
        }
        return closed || !other.closed;
    }

    /** The sorted sets this record belongs to: time, each service, errors when it has one. */
    public List<String> indexKeys() {
        List<String> keys = new ArrayList<>(services.size() + 2);
        keys.add(RedisKeys.TIME_INDEX);
        for (String service : services) {
            keys.add(RedisKeys.service(service));
        }
        if (hasError) {
            keys.add(RedisKeys.ERRORS_INDEX);
        }
        return keys;
    }

    public String json() {
        return json;
    }

    public String correlationId() {
        return correlationId;
    }

    public String traceId() {
        return traceId;
    }

    public long firstSeenMillis() {
        return firstSeenMillis;
    }

    public List<String> services() {
        return services;
    }

    public boolean hasError() {
        return hasError;
    }

    public long progress() {
        return progress;
    }

    public boolean closed() {
        return closed;
    }

    public long version() {
        return version;
    }

    @Override
    public String toString() {
        return "RedisRecordWrite{" + correlationId + ", progress=" + progress + ", closed=" + closed
                + ", version=" + version + "}";
    }
}
