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
        return matches(r.services, firstSeenMillis, r.status, r.hasError);
    }

    /** The same filter on the fields it reads, for a store that keeps only those of a record. */
    public boolean matches(java.util.Collection<String> services, long firstSeenMillis, String status, boolean hasError) {
        if (service != null && !services.contains(service)) return false;
        if (sinceMillis != null && firstSeenMillis < sinceMillis) return false;
        if (untilMillis != null && firstSeenMillis >= untilMillis) return false;
        if (this.status != null && !this.status.equals(status)) return false;
        return this.hasError == null || this.hasError == hasError;
    }
}
