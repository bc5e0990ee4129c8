package org.correlationstation.connectors.redis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records this writer indexed lately, so that a re-emission whose index entries would not change
 * (same or later {@code first_seen}, no new index key) skips its ZADDs and SADD: with about two records
 * per trace, those were half of the index writes, and the ZADDs half of Redis's time.
 *
 * <p>An entry is trusted for half the record TTL after the write that indexed the record. Each write
 * refreshes the record's TTL, so in that time the record cannot have expired and the trimmer cannot
 * have removed its entries. Entries of other writers, or from before a restart, are simply not
 * here: the record is indexed again, which is idempotent. A failed batch forgets them all (Redis may
 * have restarted empty); a Redis emptied by hand while the job runs is not noticed, and records
 * written again within half the TTL stay out of the indexes until then. Bounded in count; the
 * oldest go first.
 */
final class IndexedRecords {
    /** The index keys as a 64-bit fingerprint, not the list: a few hundred bytes less per entry. */
    private record Entry(long firstSeenMillis, long indexKeys, long indexedAtMillis) {}

    private final int maxEntries;
    private final long maxAgeMillis;
    private final Map<String, Entry> entries;

    IndexedRecords(int maxEntries, long recordTtlMillis) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must be >= 0");
        }
        this.maxEntries = maxEntries;
        this.maxAgeMillis = recordTtlMillis / 2;
        this.entries = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > IndexedRecords.this.maxEntries;
            }
        };
    }

    /**
     * When the write that put {@code write}'s index entries in place was sent, if they all are, with a
     * score at least as low; -1 when they need writing.
     */
    synchronized long indexedAt(RedisRecordWrite write, List<String> indexKeys, long nowMillis) {
        Entry entry = entries.get(write.correlationId());
        boolean covered = entry != null
                && nowMillis - entry.indexedAtMillis < maxAgeMillis
                && write.firstSeenMillis() >= entry.firstSeenMillis
                && entry.indexKeys == fingerprint(indexKeys);
        return covered ? entry.indexedAtMillis : -1;
    }

    /** Called once Redis acknowledged {@code write}'s index entries, written at {@code nowMillis}. */
    synchronized void indexed(RedisRecordWrite write, List<String> indexKeys, long nowMillis) {
        if (maxEntries == 0) return;
        entries.remove(write.correlationId()); // re-inserted as the newest
        entries.put(write.correlationId(), new Entry(write.firstSeenMillis(), fingerprint(indexKeys), nowMillis));
    }

    /** 64-bit FNV-1a over the keys' characters, each key ended by U+FFFF (a noncharacter). */
    static long fingerprint(List<String> keys) {
        long h = 0xcbf29ce484222325L;
        for (String key : keys) {
            for (int i = 0; i < key.length(); i++) {
                h = (h ^ key.charAt(i)) * 0x100000001b3L;
            }
            h = (h ^ 0xFFFF) * 0x100000001b3L;
        }
        return h;
    }

    synchronized void clear() {
        entries.clear();
    }

    synchronized int size() {
        return entries.size();
    }
}
