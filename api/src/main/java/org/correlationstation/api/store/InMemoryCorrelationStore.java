package org.correlationstation.api.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.LinkedHashSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;

/**
 * The embedded store of local mode: the same write rule as the Redis compare-and-set (SPEC §5), the
 * same TTL after each write, and a bound on its size (oldest write evicted first). Thread-safe; the
 * job's sink writes while the API reads.
 */
public final class InMemoryCorrelationStore implements CorrelationStore {
    /**
     * {@code position} is the record's place in its indexes: its first_seen, lowered only (as the
     * Redis sink's {@code ZADD … LT}); {@code indexes} every index key it was added to (they only grow,
     * as services and has_error only grow).
     */
    private record Entry(CorrelationRecord record, String json, long position, Set<String> indexes, long expiresAt) {}

    private record Position(long firstSeen, String correlationId) {}

    /** Listing order: first_seen descending, then correlation_id descending. */
    private static final Comparator<Position> NEWEST_FIRST = Comparator.comparingLong(Position::firstSeen).reversed()
            .thenComparing(Position::correlationId, Comparator.reverseOrder());

    private static final NavigableSet<Position> EMPTY = new TreeSet<>(NEWEST_FIRST);

    private final long ttlMillis;
    private final int maxRecords;
    private final LongSupplier clock;
    /** Insertion order = write order, so the eldest entry is the one to evict or expire first. */
    private final LinkedHashMap<String, Entry> byId = new LinkedHashMap<>(16, 0.75f, false);
    private final Map<String, String> byTrace = new HashMap<>();
    /** The same indexes as in Redis (time, per service, errors), by their Redis key names. */
    private final Map<String, NavigableSet<Position>> indexes = new HashMap<>();

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
        }
        CorrelationRecord copy = RecordCodec.fromJson(RecordCodec.toJson(record));
        copy.version = version;
        long firstSeen = RecordCodec.parseTime(copy.firstSeen);
        long position = stored == null ? firstSeen : Math.min(stored.position, firstSeen);
        Set<String> keys = new LinkedHashSet<>();
        if (stored != null) keys.addAll(stored.indexes);
        keys.add(RedisKeys.TIME_INDEX);
        for (String service : copy.services) keys.add(RedisKeys.service(service));
        if (copy.hasError) keys.add(RedisKeys.ERRORS_INDEX);
        if (stored != null) remove(record.correlationId);
        byId.put(copy.correlationId, new Entry(copy, RecordCodec.toJson(copy), position, keys, now + ttlMillis));
        byTrace.put(copy.traceId, copy.correlationId);
        Position p = new Position(position, copy.correlationId);
        for (String key : keys) indexes.computeIfAbsent(key, k -> new TreeSet<>(NEWEST_FIRST)).add(p);
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
    public synchronized CompletableFuture<Optional<byte[]>> recordJsonByTraceId(String traceId) {
        expire(clock.getAsLong());
        String id = byTrace.get(traceId);
        return CompletableFuture.completedFuture(id == null ? Optional.empty() : readJson(id));
    }

    @Override
    public synchronized CompletableFuture<Optional<byte[]>> recordJsonByCorrelationId(String correlationId) {
        expire(clock.getAsLong());
        return CompletableFuture.completedFuture(readJson(correlationId));
    }

    /**
     * The same walk as {@link RedisCorrelationStore#query}: the same index ({@link Listing#indexKey}),
     * order (first_seen descending, then correlation_id descending), post-filter, "one more" check
     * and scan bound ({@link Listing#scanBudget}), hence the same pages for the same data.
     */
    @Override
    public synchronized CompletableFuture<Page> query(CorrelationQuery q) {
        expire(clock.getAsLong());
        NavigableSet<Position> index = indexes.getOrDefault(Listing.indexKey(q), EMPTY);
        Cursor c = q.cursor();
        Position start = c == null ? null : new Position(c.firstSeenMillis(), c.correlationId());
        if (start != null && q.untilMillis() != null && start.firstSeen >= q.untilMillis()) start = null;
        if (start == null && q.untilMillis() != null) start = new Position(q.untilMillis(), ""); // before every id
        Iterable<Position> from = start == null ? index : index.tailSet(start, false);
        int budget = Listing.scanBudget(q.limit());
        List<CorrelationRecord> items = new ArrayList<>();
        Position last = null;
        int examined = 0;
        for (Position p : from) {
            if (q.sinceMillis() != null && p.firstSeen < q.sinceMillis()) break;
            examined++;
            Entry e = byId.get(p.correlationId);
            if (e != null && Listing.matches(q, e.record)) {
                if (items.size() == q.limit()) return page(items, last); // one more exists
                items.add(RecordCodec.fromJson(e.json));
                last = p;
            }
            if (examined >= budget) return page(items, p); // bound hit: continue after what was examined
        }
        return page(items, null);
    }

    private static CompletableFuture<Page> page(List<CorrelationRecord> items, Position next) {
        return CompletableFuture.completedFuture(
                new Page(List.copyOf(items), next == null ? null : new Cursor(next.firstSeen, next.correlationId)));
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

    /**
     * Everything stored as its SPEC §4 JSON, oldest write first: what local mode's snapshot file holds.
     * Only the strings are copied under the lock, so readers wait for a copy, not for an encode.
     */
    public synchronized List<String> snapshotJson() {
        expire(clock.getAsLong());
        List<String> out = new ArrayList<>(byId.size());
        for (Entry e : byId.values()) out.add(e.json);
        return out;
    }

    @Override
    public void close() {}

    private Optional<CorrelationRecord> read(String correlationId) {
        Entry e = byId.get(correlationId);
        return e == null ? Optional.empty() : Optional.of(RecordCodec.fromJson(e.json));
    }

    /** The stored JSON is what {@link RecordCodec#toJson} wrote for the stored copy: the same bytes as encoding it again. */
    private Optional<byte[]> readJson(String correlationId) {
        Entry e = byId.get(correlationId);
        return e == null ? Optional.empty() : Optional.of(e.json.getBytes(StandardCharsets.UTF_8));
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
        Position p = new Position(e.position, correlationId);
        for (String key : e.indexes) {
            NavigableSet<Position> index = indexes.get(key);
            if (index == null) continue;
            index.remove(p);
            if (index.isEmpty()) indexes.remove(key); // as Redis drops an empty sorted set
        }
        if (correlationId.equals(byTrace.get(e.record.traceId))) byTrace.remove(e.record.traceId);
    }

    private static String content(CorrelationRecord r) {
        CorrelationRecord c = RecordCodec.fromJson(RecordCodec.toJson(r));
        c.version = 0;
        c.updatedAt = null;
        return RecordCodec.toJson(c);
    }
}
