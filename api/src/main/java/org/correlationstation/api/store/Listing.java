package org.correlationstation.api.store;

import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.redis.RedisKeys;

/**
 * The listing rules both stores share, so that they answer the same for the same data (SPEC §6):
 * which index a query walks, how far one call may walk, and which records match.
 */
final class Listing {
    /** A call examines at most this many index entries per requested item… */
    static final int SCAN_FACTOR = 50;
    /** …but never fewer than this, so that {@code limit=1} with a sparse filter still gets somewhere. */
    static final int MIN_SCAN = 1_000;

    private Listing() {}

    /** How many index entries after the cursor one call may examine before it returns what it has. */
    static int scanBudget(int limit) {
        return Math.max(MIN_SCAN, SCAN_FACTOR * limit);
    }

    /**
     * The index a query walks: {@code corr:svc:<service>} when a service is given, else
     * {@code corr:errors} for {@code has_error=true}, else {@code corr:time_index}.
     */
    static String indexKey(CorrelationQuery q) {
        if (q.service() != null) return RedisKeys.service(q.service());
        if (Boolean.TRUE.equals(q.hasError())) return RedisKeys.ERRORS_INDEX;
        return RedisKeys.TIME_INDEX;
    }

    /** The post-filter, on the record itself (its own {@code first_seen}, not the index score). */
    static boolean matches(CorrelationQuery q, CorrelationRecord r) {
        long firstSeen;
        try {
            firstSeen = org.correlationstation.core.record.RecordCodec.parseTime(r.firstSeen);
        } catch (RuntimeException e) {
            return false;
        }
        return q.matches(r, firstSeen);
    }
}
