package org.correlationstation.api.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.core.graph.ServiceGraph;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;

/**
 * The embedded store of local mode: the same write rule as the Redis compare-and-set (SPEC §5), the
 * same TTL after each write, and two bounds on its size, {@code MEMORY_STORE_MAX_RECORDS} records and
 * {@code MEMORY_STORE_MAX_BYTES} bytes of heap: past either, the oldest write is evicted first and
 * counted ({@link #evictions()}). Thread-safe; the job's sink writes while the API reads. It also
 * holds the service graph's time buckets ({@link #putGraph}, {@link MemoryGraph}), within the same
 * TTL and byte bound.
 *
 * <p>A record is kept as its SPEC §4 JSON (UTF-8), which reads decode, plus only what the
 * compare-and-set and the listings look at (progress, status, has_error, first_seen, services, its
 * place in the indexes). A decoded record is many small objects: a 20-span trace with 20 links took
 * about 10.6 KB of heap where its JSON is 3.3 KB; kept this way it takes about 3.8 KB
 * ({@code InMemoryCorrelationStoreFootprintTest} measures both). The byte bound counts an estimate
 * of each entry's heap ({@link #footprint}), so that it holds however large the records are.
 */
public final class InMemoryCorrelationStore implements CorrelationStore {
    /**
     * The share of the JVM's maximum heap the store may take when {@code MEMORY_STORE_MAX_BYTES} is 0.
     * Local mode runs Kafka, Flink, the receiver and the API in the same heap; a quarter leaves them
     * the rest and the collector its headroom (docs/local.md "Memory").
     */
    public static final int DEFAULT_HEAP_PERCENT = 25;
    /**
     * The service graph may take this share of the byte bound (1/8; the records the rest). A bucket of
     * 300 nodes and edges with 30 histogram buckets each is estimated at about 190 KB, so an hour of
     * minute buckets fits an eighth of a 128 MB bound; a flood of buckets (a replay of old data)
     * cannot crowd out the records.
     */
    static final int GRAPH_SHARE_DIVISOR = 8;

    /**
     * What one entry costs besides its JSON, in bytes, on a 64-bit JVM with compressed references (a
     * heap under 32 GB): the entry (88), its index position (24), the correlation and trace id strings
     * (80 + 72), its map nodes in {@code byId} and {@code byTrace} with their share of the tables
     * (48 + 40), and the headers of its two arrays (32). The JSON array adds its header (16) and its
     * length, aligned to 8.
     */
    static final long ENTRY_BYTES = 384;
    /** Per index the record is in: its node in that index's tree (40) and its slot in the entry (4). */
    static final long INDEX_BYTES = 44;
    /** Per service: its slot in the entry; the name is the index's, shared by every record in it. */
    static final long SERVICE_BYTES = 4;

    /**
     * One stored record. Immutable: a write replaces the entry, so that the arrays can be handed out
     * (to the snapshot) without a copy.
     */
    private static final class Entry {
        final String correlationId;
        final String traceId;
        final byte[] json;
        final long version;
        final long progress;
        final String status;
        final boolean hasError;
        /** The record's own first_seen, which the listings' post-filter compares. */
        final long firstSeen;
        /** Its place in its indexes: its first_seen, lowered only (as the Redis sink's {@code ZADD … LT}). */
        final Position position;
        final String[] services;
        /** Every index it was added to: they only grow, as services and has_error only grow. */
        final Index[] indexes;
        final long expiresAt;
        final long bytes;

        Entry(String correlationId, String traceId, byte[] json, long version, long progress, String status,
                boolean hasError, long firstSeen, Position position, String[] services, Index[] indexes,
                long expiresAt) {
            this.correlationId = correlationId;
            this.traceId = traceId;
            this.json = json;
            this.version = version;
            this.progress = progress;
            this.status = status;
            this.hasError = hasError;
            this.firstSeen = firstSeen;
            this.position = position;
            this.services = services;
            this.indexes = indexes;
            this.expiresAt = expiresAt;
            this.bytes = footprint(json.length, services.length, indexes.length);
        }

        boolean isClosed() {
            return CorrelationRecord.CLOSED.equals(status);
        }
    }

    private record Position(long firstSeen, String correlationId) {}

    /** One index, by its Redis key name; its service name (for a per-service index) is shared by its entries. */
    private static final class Index {
        final String key;
        final String service;
        final NavigableSet<Position> positions = new TreeSet<>(NEWEST_FIRST);

        Index(String key, String service) {
            this.key = key;
            this.service = service;
        }
    }

    /** Listing order: first_seen descending, then correlation_id descending. */
    private static final Comparator<Position> NEWEST_FIRST = (a, b) -> {
        int byTime = Long.compare(b.firstSeen, a.firstSeen);
        return byTime != 0 ? byTime : b.correlationId.compareTo(a.correlationId);
    };

    private static final NavigableSet<Position> EMPTY = new TreeSet<>(NEWEST_FIRST);

    private final long ttlMillis;
    private final int maxRecords;
    private final long maxBytes;
    private final LongSupplier clock;
    /** Insertion order = write order, so the eldest entry is the one to evict or expire first. */
    private final LinkedHashMap<String, Entry> byId = new LinkedHashMap<>(16, 0.75f, false);
    private final Map<String, String> byTrace = new HashMap<>();
    /** The same indexes as in Redis (time, per service, errors), by their Redis key names. */
    private final Map<String, Index> indexes = new HashMap<>();
    /** The service graph's buckets (local mode's {@code corr:graph:*}); its heap counts against the byte bound. */
    private final MemoryGraph graph;
    /** The sum of the entries' {@link Entry#bytes}. */
    private long bytes;
    private long evictions;

    /**
     * @param maxBytes the bound on the entries' estimated heap ({@link #footprint}); a record larger
     *     than that on its own is evicted as soon as it is written
     */
    public InMemoryCorrelationStore(Duration ttl, int maxRecords, long maxBytes, LongSupplier clock) {
        if (maxRecords < 1 || maxBytes < 1) throw new IllegalArgumentException("the bounds must be positive");
        this.ttlMillis = ttl.toMillis();
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.graph = new MemoryGraph(ttlMillis, Math.max(1, maxBytes / GRAPH_SHARE_DIVISOR));
    }

    /** Bounded by records only. */
    public InMemoryCorrelationStore(Duration ttl, int maxRecords, LongSupplier clock) {
        this(ttl, maxRecords, Long.MAX_VALUE, clock);
    }

    /** Bounded by records only. */
    public InMemoryCorrelationStore(Duration ttl, int maxRecords) {
        this(ttl, maxRecords, System::currentTimeMillis);
    }

    /**
     * The store of {@code CORRELATION_TTL_SECONDS}, {@code MEMORY_STORE_MAX_RECORDS} and
     * {@code MEMORY_STORE_MAX_BYTES} ({@link #maxBytes(long)}).
     */
    public static InMemoryCorrelationStore create(Settings settings) {
        return new InMemoryCorrelationStore(Duration.ofSeconds(settings.get(Options.CORRELATION_TTL_SECONDS)),
                settings.get(Options.MEMORY_STORE_MAX_RECORDS), maxBytes(settings.get(Options.MEMORY_STORE_MAX_BYTES)),
                System::currentTimeMillis);
    }

    /** {@code MEMORY_STORE_MAX_BYTES} as given, or {@link #DEFAULT_HEAP_PERCENT} of this JVM's maximum heap for 0. */
    public static long maxBytes(long configured) {
        return configured > 0 ? configured : Runtime.getRuntime().maxMemory() / 100 * DEFAULT_HEAP_PERCENT;
    }

    /** The estimated heap of one entry: {@link #ENTRY_BYTES}, the JSON array, and per index and service. */
    static long footprint(int jsonBytes, int services, int indexes) {
        long jsonArray = (16L + jsonBytes + 7) & ~7L;
        return ENTRY_BYTES + jsonArray + INDEX_BYTES * indexes + SERVICE_BYTES * services;
    }

    /**
     * Stores the record unless the stored one is more advanced (progress, then closed over open);
     * the stored version never decreases. Returns the version stored, or -1 when rejected. Then
     * evicts the oldest writes until both bounds hold again.
     */
    public synchronized long put(CorrelationRecord record) {
        long now = clock.getAsLong();
        expire(now);
        Entry stored = byId.get(record.correlationId);
        if (stored != null && (record.progress() < stored.progress
                || (record.progress() == stored.progress && stored.isClosed() && !record.isClosed()))) {
            return -1;
        }
        // Encoded once, and kept as bytes: the caller's record is neither kept nor changed. Changed content
        // (all but version and updated_at) moves the version on, as the Redis writer's compare-and-set does.
        byte[] json = RecordCodec.toJsonBytes(record);
        long version = record.version;
        if (stored != null) {
            boolean changed = !RecordCodec.sameContent(json, stored.json);
            version = changed ? Math.max(record.version, stored.version + 1) : Math.max(record.version, stored.version);
            if (version != record.version) json = RecordCodec.withVersion(json, version);
        }
        long firstSeen = RecordCodec.parseTime(record.firstSeen);
        long position = stored == null ? firstSeen : Math.min(stored.position.firstSeen, firstSeen);
        // An update mostly keeps its place: its index entries then stay as they are (removing and adding
        // them again was two fifths of a write).
        boolean samePlace = stored != null && stored.position.firstSeen == position;
        Position p = samePlace ? stored.position : new Position(position, record.correlationId);

        // Index key → its service (null for the time and error indexes): the stored ones and the new ones.
        Map<String, String> keys = new LinkedHashMap<>();
        if (stored != null) {
            for (Index index : stored.indexes) keys.put(index.key, index.service);
            if (samePlace) {
                // Out of the write order only: it goes to the end again below.
                byId.remove(stored.correlationId);
                bytes -= stored.bytes;
            } else {
                remove(stored.correlationId);
            }
        }
        keys.put(RedisKeys.TIME_INDEX, null);
        for (String service : record.services) keys.put(RedisKeys.service(service), service);
        if (record.hasError) keys.put(RedisKeys.ERRORS_INDEX, null);
        Index[] in = new Index[keys.size()];
        int i = 0;
        for (Map.Entry<String, String> key : keys.entrySet()) {
            in[i++] = indexes.computeIfAbsent(key.getKey(), k -> new Index(k, key.getValue()));
        }
        // The index's instance of each name: one per store, not one per record.
        String[] services = new String[record.services.size()];
        for (int s = 0; s < services.length; s++) {
            services[s] = indexes.get(RedisKeys.service(record.services.get(s))).service;
        }

        Entry entry = new Entry(record.correlationId, record.traceId, json, version, record.progress(), status(record.status),
                record.hasError, firstSeen, p, services, in, now + ttlMillis);
        byId.put(entry.correlationId, entry);
        byTrace.put(entry.traceId, entry.correlationId);
        for (int n = 0; n < in.length; n++) {
            // The stored indexes come first in `in`, in the same order.
            if (!samePlace || n >= stored.indexes.length) in[n].positions.add(p);
        }
        bytes += entry.bytes;
        evictRecords();
        return version;
    }

    /** The oldest writes go until both bounds hold again (the graph's bytes count too). */
    private void evictRecords() {
        while (!byId.isEmpty() && (byId.size() > maxRecords || bytes + graph.bytes() > maxBytes)) {
            remove(byId.keySet().iterator().next());
            evictions++;
        }
    }

    /**
     * Stores one service-graph element of one time bucket as the job computed it (local mode's sink
     * calls this; Redis holds the same in {@code corr:graph:<bucket start>}): replaces the stored counts
     * when {@code u.counts().calls} is at least as high, as the Redis writer's compare-and-set does,
     * and keeps the bucket for the TTL after this update. The graph takes at most an eighth of the
     * byte bound ({@link #GRAPH_SHARE_DIVISOR}; the bucket updated longest ago goes first); records
     * are evicted when the two together exceed it. The counts are copied.
     */
    public synchronized void putGraph(GraphUpdate u) {
        Objects.requireNonNull(u, "update");
        Objects.requireNonNull(u.key(), "key");
        Objects.requireNonNull(u.counts(), "counts");
        long now = clock.getAsLong();
        expire(now);
        graph.put(u, now);
        evictRecords();
    }

    @Override
    public synchronized CompletableFuture<ServiceGraph> graph(long sinceMillis, long untilMillis, String service) {
        expire(clock.getAsLong());
        return CompletableFuture.completedFuture(graph.graph(sinceMillis, untilMillis, service));
    }

    /** One instance per status, rather than one per record. */
    private static String status(String status) {
        if (CorrelationRecord.CLOSED.equals(status)) return CorrelationRecord.CLOSED;
        if (CorrelationRecord.OPEN.equals(status)) return CorrelationRecord.OPEN;
        return status;
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
        Index found = indexes.get(Listing.indexKey(q));
        NavigableSet<Position> index = found == null ? EMPTY : found.positions;
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
            if (e != null && q.matches(Arrays.asList(e.services), e.firstSeen, e.status, e.hasError)) {
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

    /** The estimated heap of the records held ({@link #footprint}), never more than {@link #maxBytes()}. */
    public synchronized long bytes() {
        expire(clock.getAsLong());
        return bytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Records evicted so far to keep within the bounds (records that expired are not counted). */
    public synchronized long evictions() {
        return evictions;
    }

    /** The service graph held, element by element (copies): what local mode snapshots for a restart. */
    public synchronized List<GraphUpdate> graphSnapshot() {
        expire(clock.getAsLong());
        return graph.all();
    }

        /** The estimated heap of the service graph's buckets ({@link MemoryGraph#footprint}), besides {@link #bytes()}. */
    public synchronized long graphBytes() {
        expire(clock.getAsLong());
        return graph.bytes();
    }

    /** Service-graph buckets held. */
    public synchronized int graphBuckets() {
        expire(clock.getAsLong());
        return graph.buckets();
    }

    /** Service-graph buckets dropped to keep within the graph's share of the byte bound. */
    public synchronized long graphEvictions() {
        return graph.evictions();
    }

    /** Everything stored, for the snapshot that lets local mode restart with its records. */
    public synchronized List<CorrelationRecord> snapshot() {
        expire(clock.getAsLong());
        List<CorrelationRecord> out = new ArrayList<>(byId.size());
        for (Entry e : byId.values()) out.add(RecordCodec.fromJson(e.json));
        return out;
    }

    /**
     * Everything stored as its SPEC §4 JSON (UTF-8), oldest write first: what local mode's snapshot
     * file holds. The arrays are the store's own, not copies (a copy of a full store would take as
     * much heap again): they are never changed, and must not be by the caller.
     */
    public synchronized List<byte[]> snapshotJson() {
        expire(clock.getAsLong());
        List<byte[]> out = new ArrayList<>(byId.size());
        for (Entry e : byId.values()) out.add(e.json);
        return out;
    }

    /**
     * As {@link #snapshotJson()}, of the records of {@code correlationIds} that are still held, in that
     * order: what local mode's snapshot journal appends at a checkpoint.
     */
    public synchronized List<byte[]> snapshotJson(Collection<String> correlationIds) {
        expire(clock.getAsLong());
        List<byte[]> out = new ArrayList<>(correlationIds.size());
        for (String id : correlationIds) {
            Entry e = byId.get(id);
            if (e != null) out.add(e.json);
        }
        return out;
    }

    @Override
    public void close() {}

    private Optional<CorrelationRecord> read(String correlationId) {
        Entry e = byId.get(correlationId);
        return e == null ? Optional.empty() : Optional.of(RecordCodec.fromJson(e.json));
    }

    /** The stored JSON is what {@link RecordCodec#toJsonBytes} wrote for the stored version; a copy goes out. */
    private Optional<byte[]> readJson(String correlationId) {
        Entry e = byId.get(correlationId);
        return e == null ? Optional.empty() : Optional.of(e.json.clone());
    }

    /** Entries are in write order and all share one TTL, so expired ones are at the head. */
    private void expire(long now) {
        graph.expire(now);
        while (!byId.isEmpty()) {
            Map.Entry<String, Entry> eldest = byId.entrySet().iterator().next();
            if (eldest.getValue().expiresAt > now) return;
            remove(eldest.getKey());
        }
    }

    private void remove(String correlationId) {
        Entry e = byId.remove(correlationId);
        if (e == null) return;
        bytes -= e.bytes;
        for (Index index : e.indexes) {
            index.positions.remove(e.position);
            if (index.positions.isEmpty()) indexes.remove(index.key); // as Redis drops an empty sorted set
        }
        if (correlationId.equals(byTrace.get(e.traceId))) byTrace.remove(e.traceId);
    }
}
