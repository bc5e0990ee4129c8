package org.correlationstation.api.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;

/**
 * The embedded store of local mode: the same write rule as the Redis compare-and-set (SPEC §5), the
 * same TTL after each write, and a bound on its size (oldest write evicted first). Thread-safe; the
 * job's sink writes while the API reads.
 */
public final class InMemoryCorrelationStore implements CorrelationStore {
    private record Entry(CorrelationRecord record, String json, long firstSeen, long expiresAt) {}

    private record Position(long firstSeen, String correlationId) {}

    /** Listing order: first_seen descending, then correlation_id descending. */
    private static final Comparator<Position> NEWEST_FIRST = Comparator.comparingLong(Position::firstSeen).reversed()
            .thenComparing(Position::correlationId, Comparator.reverseOrder());

    private final long ttlMillis;
    private final int maxRecords;
    private final LongSupplier clock;
    /** Insertion order = write order, so the eldest entry is the one to evict or expire first. */
    private final LinkedHashMap<String, Entry> byId = new LinkedHashMap<>(16, 0.75f, false);
    private final Map<String, String> byTrace = new HashMap<>();
    private final NavigableSet<Position> ordered = new TreeSet<>(NEWEST_FIRST);

    public InMemoryCorrelationStore(Duration ttl, int maxRecords, LongSupplier clock) {
        this.ttlMillis = ttl.toMillis();
        this.maxRecords = maxRecords;
        this.clock = clock;
    }

    public InMemoryCorrelationStore(Duration ttl, int maxRecords) {
        this(ttl, maxRecords, System::currentTimeMillis);
    }

    /**
     * Stores the record unless the stored one is more advanced (progress, then closed over open);
     * the stored version never decreases. Returns the version stored, or -1 when rejected.
     */
    public synchronized long put(CorrelationRecord record) {
        long now = clock.getAsLong();
        expire(now);
        Entry stored = byId.get(record.correlationId);
        long version = record.version;
        if (stored != null) {
            CorrelationRecord s = stored.record;
            if (record.progress() < s.progress()
                    || (record.progress() == s.progress() && s.isClosed() && !record.isClosed())) {
                return -1;
            }
            boolean changed = !content(record).equals(content(s));
            version = changed ? Math.max(record.version, s.version + 1) : Math.max(record.version, s.version);
            remove(record.correlationId);
        }
        CorrelationRecord copy = RecordCodec.fromJson(RecordCodec.toJson(record));
        copy.version = version;
        long firstSeen = RecordCodec.parseTime(copy.firstSeen);
        byId.put(copy.correlationId, new Entry(copy, RecordCodec.toJson(copy), firstSeen, now + ttlMillis));
        byTrace.put(copy.traceId, copy.correlationId);
        ordered.add(new Position(firstSeen, copy.correlationId));
        while (byId.size() > maxRecords) remove(byId.keySet().iterator().next());
        return version;
    }

    @Override
    public synchronized CompletableFuture<Optional<CorrelationRecord>> byTraceId(String traceId) {
        expire(clock.getAsLong());
        String id = byTrace.get(traceId);
        return CompletableFuture.completedFuture(id == null ? Optional.empty() : read(id));
    }

    @Override
    public synchronized CompletableFuture<Optional<CorrelationRecord>> byCorrelationId(String correlationId) {
        expire(clock.getAsLong());
        return CompletableFuture.completedFuture(read(correlationId));
    }

    @Override
    public synchronized CompletableFuture<Page> query(CorrelationQuery q) {
        expire(clock.getAsLong());
        Iterable<Position> from = q.cursor() == null ? ordered
                : ordered.tailSet(new Position(q.cursor().firstSeenMillis(), q.cursor().correlationId()), false);
        List<CorrelationRecord> items = new ArrayList<>();
        Position last = null;
        boolean more = false;
        for (Position p : from) {
            if (q.untilMillis() != null && p.firstSeen >= q.untilMillis()) continue;
            if (q.sinceMillis() != null && p.firstSeen < q.sinceMillis()) break;
            Entry e = byId.get(p.correlationId);
            if (!q.matches(e.record, p.firstSeen)) continue;
            if (items.size() == q.limit()) {
                more = true;
                break;
            }
            items.add(RecordCodec.fromJson(e.json));
            last = p;
        }
        Cursor next = more ? new Cursor(last.firstSeen, last.correlationId) : null;
        return CompletableFuture.completedFuture(new Page(items, next));
    }

    @Override
    public CompletableFuture<Void> ping() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Kind kind() {
        return Kind.MEMORY;
    }

    public synchronized int size() {
        expire(clock.getAsLong());
        return byId.size();
    }

    /** Everything stored, for the snapshot that lets local mode restart with its records. */
    public synchronized List<CorrelationRecord> snapshot() {
        expire(clock.getAsLong());
        List<CorrelationRecord> out = new ArrayList<>(byId.size());
        for (Entry e : byId.values()) out.add(RecordCodec.fromJson(e.json));
        return out;
    }

    @Override
    public void close() {}

    private Optional<CorrelationRecord> read(String correlationId) {
        Entry e = byId.get(correlationId);
        return e == null ? Optional.empty() : Optional.of(RecordCodec.fromJson(e.json));
    }

    /** Entries are in write order and all share one TTL, so expired ones are at the head. */
    private void expire(long now) {
        while (!byId.isEmpty()) {
            Map.Entry<String, Entry> eldest = byId.entrySet().iterator().next();
            if (eldest.getValue().expiresAt > now) return;
            remove(eldest.getKey());
        }
    }

    private void remove(String correlationId) {
        Entry e = byId.remove(correlationId);
        if (e == null) return;
        ordered.remove(new Position(e.firstSeen, correlationId));
        if (correlationId.equals(byTrace.get(e.record.traceId))) byTrace.remove(e.record.traceId);
    }

    private static String content(CorrelationRecord r) {
        CorrelationRecord c = RecordCodec.fromJson(RecordCodec.toJson(r));
        c.version = 0;
        c.updatedAt = null;
        return RecordCodec.toJson(c);
    }
}
