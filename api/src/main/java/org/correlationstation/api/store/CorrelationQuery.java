package org.correlationstation.api.store;

/**
 * A validated listing query (SPEC §6). Null means "no filter". {@code since} is inclusive and
 * {@code until} exclusive, both on {@code first_seen} in epoch ms.
 */
public record CorrelationQuery(String service, Long sinceMillis, Long untilMillis, String status, Boolean hasError,
        int limit, Cursor cursor) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public CorrelationQuery {
        if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit must be 1–" + MAX_LIMIT);
    }

    public boolean matches(org.correlationstation.core.record.CorrelationRecord r, long firstSeenMillis) {
        if (service != null && !r.services.contains(service)) return false;
        if (sinceMillis != null && firstSeenMillis < sinceMillis) return false;
        if (untilMillis != null && firstSeenMillis >= untilMillis) return false;
        if (status != null && !status.equals(r.status)) return false;
        return hasError == null || hasError == r.hasError;
    }
}
