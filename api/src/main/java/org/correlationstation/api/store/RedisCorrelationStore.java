package org.correlationstation.api.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.NettyCustomizer;
import io.lettuce.core.resource.Transports;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.graph.ServiceGraph;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisEndpoint;
import org.correlationstation.core.redis.RedisKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis store of the query API (SPEC §5–6), reading what the job's Redis sink writes
 * ({@code docs/redis.md}). Fully asynchronous on lettuce: no call blocks the caller's thread.
 *
 * <p><b>A few multiplexed connections, not a borrow/return pool.</b> Every command is a single-key,
 * non-blocking read (plus the pruning {@code ZREM}s); there are no transactions or blocking commands
 * that would need a connection of their own, and lettuce pipelines concurrent requests on one
 * connection. What more connections do buy is I/O threads: each connection is served by one of
 * lettuce's event loops, which decodes its replies and runs what the caller chained on them. So the
 * store opens {@code min(REDIS_MAX_CONNECTIONS, I/O threads)} connections (standalone, or cluster
 * connections that route each command by slot) and spreads calls over them round-robin; more than
 * one per I/O thread would add sockets, not throughput. A call made on one of these I/O threads (the
 * API's HTTP server runs on them, {@link #eventLoops()}) uses the connection served by that thread,
 * so that neither the command nor the reply changes threads.
 *
 * <p>Each connection is opened lazily and asynchronously: the store is created while Redis is down,
 * and calls fail (exceptionally, within the command timeout) until it is up. Once connected, lettuce
 * reconnects by itself (backoff capped by {@code maxReconnectDelay}); while disconnected, commands
 * are rejected at once instead of being queued, so callers see the outage immediately.
 *
 * <p>Listing: see {@link #query} and {@code docs/api.md} (Storage).
 */
public final class RedisCorrelationStore implements CorrelationStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisCorrelationStore.class);

    /** Default per-command timeout. The HTTP layer bounds a whole query by {@code API_QUERY_TIMEOUT_MS}. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** Default cap of lettuce's reconnect backoff. */
    public static final Duration DEFAULT_MAX_RECONNECT_DELAY = Duration.ofSeconds(1);
    /**
     * Default of how long after its start a service-graph bucket may still be written: the default
     * {@code CORRELATION_TTL_SECONDS} and {@code GRAPH_BUCKET_SECONDS} ({@link RedisGraphRead}).
     */
    public static final Duration DEFAULT_GRAPH_RETENTION = Duration.ofSeconds(
            Options.CORRELATION_TTL_SECONDS.defaultValue().orElseThrow()
                    + Options.GRAPH_BUCKET_SECONDS.defaultValue().orElseThrow());

    /** Members of one score fetched per request when resuming inside a group of equal first_seen. */
    static final int TIE_PAGE = 1_000;
    /** Most index entries fetched (and records read) per round trip. */
    static final int MAX_CHUNK = 1_024;
    private static final int MIN_CHUNK = 16;
    /** Commands queued per connection at most (while a cluster node reconnects). */
    private static final int REQUEST_QUEUE_SIZE = 100_000;

    /** How every record {@link RecordCodec} writes starts (SPEC §4 schema 1, fields in a fixed order). */
    private static final String CODEC_PREFIX = "{\"schema_version\":1,\"correlation_id\":\"";

    private final RedisEndpoint endpoint;
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisClusterClient clusterClient;
    private final AtomicLong pruned = new AtomicLong();
    private final AtomicLong prunedGraphBuckets = new AtomicLong();
    private final long graphRetentionMillis;
    /** One slot per connection; null or failed: (re)connect on next use. Written under the store's lock. */
    private final AtomicReferenceArray<CompletableFuture<StatefulConnection<String, String>>> connections;
    private final AtomicInteger nextConnection = new AtomicInteger();
    /** The I/O thread each connection's replies arrive on (null: not known yet). */
    private final AtomicReferenceArray<Thread> replyThreads;
    private volatile boolean closed;

    private RedisCorrelationStore(RedisEndpoint endpoint, Duration commandTimeout, Duration maxReconnectDelay,
            int maxConnections, Duration graphRetention) {
        this.endpoint = endpoint;
        this.graphRetentionMillis = graphRetention.toMillis();
        int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.connections = new AtomicReferenceArray<>(Math.min(maxConnections, ioThreads));
        this.replyThreads = new AtomicReferenceArray<>(connections.length());
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(ioThreads)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), maxReconnectDelay, 2, TimeUnit.MILLISECONDS))
                .nettyCustomizer(new NettyCustomizer() {
                    /**
                     * Each command is written with a flush, one write syscall per command. The HTTP
                     * requests one event-loop turn reads send their commands to the same connection:
                     * consolidated, they leave in one syscall at the end of the turn (microseconds
                     * later). In A/B runs at saturation: about 20% less API CPU per request.
                     */
                    @Override
                    public void afterChannelInitialized(Channel channel) {
                        channel.pipeline().addFirst(new FlushConsolidationHandler(
                                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
                    }
                })
                .build();
        for (var uri : endpoint.nodes()) uri.setTimeout(commandTimeout);
        SocketOptions socket = SocketOptions.builder().connectTimeout(commandTimeout).keepAlive(true).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(commandTimeout);
        if (endpoint.cluster()) {
            this.client = null;
            this.clusterClient = RedisClusterClient.create(resources, endpoint.nodes());
            // Not REJECT_COMMANDS here: the cluster connection opens its per-node connections on
            // first use, and a rejecting one would fail the first command to every node. Commands
            // to a node that is down wait at most the command timeout (and the queue is bounded).
            this.clusterClient.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                    .requestQueueSize(REQUEST_QUEUE_SIZE)
                    .timeoutOptions(timeouts)
                    .socketOptions(socket)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .enableAllAdaptiveRefreshTriggers()
                            .build())
                    .build());
        } else {
            this.clusterClient = null;
            this.client = RedisClient.create(resources);
            this.client.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(timeouts)
                    .socketOptions(socket)
                    .build());
        }
        LOG.info("Redis correlation store: {} ({} connection(s), command timeout {} ms)", endpoint.describe(),
                connections.length(), commandTimeout.toMillis());
    }

    /** A store for {@code redisUri} with the default timeouts. */
    public static RedisCorrelationStore create(String redisUri) {
        return create(redisUri, DEFAULT_COMMAND_TIMEOUT, DEFAULT_MAX_RECONNECT_DELAY);
    }

    /**
     * A store for {@code redisUri} ({@code redis://}, {@code rediss://}, password in the URI, Sentinel;
     * several hosts or {@code ?cluster=true} for Redis Cluster: {@link RedisEndpoint}).
     *
     * @param commandTimeout every command (and the connect) fails after this long
     * @param maxReconnectDelay cap of the reconnect backoff after the connection was lost
     */
    public static RedisCorrelationStore create(String redisUri, Duration commandTimeout, Duration maxReconnectDelay) {
        return create(redisUri, commandTimeout, maxReconnectDelay, Integer.MAX_VALUE);
    }

    /**
     * As {@link #create(String, Duration, Duration)}, with at most {@code maxConnections} connections
     * ({@code REDIS_MAX_CONNECTIONS}; the store opens no more than it has I/O threads).
     */
    public static RedisCorrelationStore create(String redisUri, Duration commandTimeout, Duration maxReconnectDelay,
            int maxConnections) {
        return create(redisUri, commandTimeout, maxReconnectDelay, maxConnections, DEFAULT_GRAPH_RETENTION);
    }

    /**
     * As {@link #create(String, Duration, Duration, int)}, with the service graph's retention: how long
     * after its start a bucket may still be written ({@code CORRELATION_TTL_SECONDS} +
     * {@code GRAPH_BUCKET_SECONDS}); index members older than that whose hash is gone are removed.
     */
    public static RedisCorrelationStore create(String redisUri, Duration commandTimeout, Duration maxReconnectDelay,
            int maxConnections, Duration graphRetention) {
        requirePositive(commandTimeout, "commandTimeout");
        requirePositive(maxReconnectDelay, "maxReconnectDelay");
        requirePositive(graphRetention, "graphRetention");
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be ≥ 1, got " + maxConnections);
        return new RedisCorrelationStore(RedisEndpoint.parse(redisUri), commandTimeout, maxReconnectDelay, maxConnections,
                graphRetention);
    }

    /** How many connections the store spreads its calls over. */
    public int connectionCount() {
        return connections.length();
    }

    /** Hosts and ports, for logs and health output (never the password). */
    public String endpoint() {
        return endpoint.describe();
    }

    public boolean isCluster() {
        return endpoint.cluster();
    }

    /** How many records' index entries this reader removed because the record was gone (for tests and metrics). */
    public long prunedEntries() {
        return pruned.get();
    }

    /** How many members of {@code corr:graph:buckets} this reader removed because their hash was gone. */
    public long prunedGraphBuckets() {
        return prunedGraphBuckets.get();
    }

    // ---------------------------------------------------------------- lookups

    @Override
    public CompletableFuture<Optional<CorrelationRecord>> byTraceId(String traceId) {
        return storedByTraceId(traceId).thenApply(RedisCorrelationStore::decode);
    }

    @Override
    public CompletableFuture<Optional<CorrelationRecord>> byCorrelationId(String correlationId) {
        return storedByCorrelationId(correlationId).thenApply(RedisCorrelationStore::decode);
    }

    @Override
    public CompletableFuture<Optional<byte[]>> recordJsonByTraceId(String traceId) {
        return storedByTraceId(traceId).thenApply(RedisCorrelationStore::servable);
    }

    @Override
    public CompletableFuture<Optional<byte[]>> recordJsonByCorrelationId(String correlationId) {
        return storedByCorrelationId(correlationId).thenApply(RedisCorrelationStore::servable);
    }

    /**
     * The stored record JSON of a trace (null: none) in one round trip: {@code corr:trace:<tid>} is
     * read together with (pipelined) the record it points to in every record the job writes, whose
     * correlation_id is derived from the trace id (SPEC §3). Only a pointer to another id (written by
     * something else, e.g. the old service) costs a second trip, so the answer is always the record
     * the trace key points to, as with two dependent GETs. Two single-key commands: fine on a cluster.
     */
    private CompletableFuture<String> storedByTraceId(String traceId) {
        String derived = CorrelationIds.forTrace(traceId);
        return connection().thenCompose(c -> {
            AsyncCommand<String, String, String> pointer = get(RedisKeys.trace(traceId));
            AsyncCommand<String, String, String> record = get(RedisKeys.record(derived));
            if (endpoint.cluster()) {
                // One by one on a cluster: lettuce routes a dispatched collection through a blocking
                // lookup of each node's connection, which, when it has to open one (after a failover, a new
                // primary), waited for a connect that needed the very I/O thread it blocked (the API hung).
                // The keys hash to different slots anyway: there is no single write to save.
                c.dispatch(pointer);
                c.dispatch(record);
            } else {
                c.dispatch(List.of(pointer, record)); // one write, one flush
            }
            return pointer.thenCompose(cid -> {
                noteReplyThread(c);
                if (cid == null) return CompletableFuture.completedFuture(null);
                if (cid.equals(derived)) return record;
                return asyncOf(c).get(RedisKeys.record(cid)).toCompletableFuture();
            });
        });
    }

    /** A GET to dispatch by hand (several in one write); completes like the async API's. */
    private static AsyncCommand<String, String, String> get(String key) {
        return new AsyncCommand<>(new Command<>(CommandType.GET, new ValueOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).addKey(key)));
    }

    private CompletableFuture<String> storedByCorrelationId(String correlationId) {
        return commands().thenCompose(c -> c.get(RedisKeys.record(correlationId)));
    }

    @Override
    public CompletableFuture<Void> ping() {
        return commands().thenCompose(c -> c.ping()).thenApply(pong -> null);
    }

    @Override
    public Kind kind() {
        return Kind.REDIS;
    }

    /** An unreadable record (e.g. written by a newer schema) is logged and answered as absent, not as an outage. */
    private static Optional<CorrelationRecord> decode(String json) {
        if (json == null) return Optional.empty();
        try {
            return Optional.of(RecordCodec.fromJson(json));
        } catch (RuntimeException e) {
            LOG.warn("Unreadable correlation record skipped: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The stored JSON as it is served. What the job wrote ({@link RecordCodec}: fixed field order,
     * {@code schema_version} first) is served byte for byte, which is what decoding and encoding it
     * again would give; anything else goes through the codec, so an unreadable value is answered as
     * absent (as {@link #decode}) and a readable one in the codec's form.
     */
    private static Optional<byte[]> servable(String json) {
        if (json == null) return Optional.empty();
        if (json.startsWith(CODEC_PREFIX) && json.endsWith("}")) return Optional.of(json.getBytes(StandardCharsets.UTF_8));
        return decode(json).map(RecordCodec::toJsonBytes);
    }

    // ---------------------------------------------------------------- service graph

    /**
     * {@code ZRANGEBYSCORE} on the bucket index, then {@code HGETALL} per bucket ({@link RedisGraphRead});
     * decoded and summed on lettuce's computation threads, not on the I/O threads.
     */
    @Override
    public CompletableFuture<ServiceGraph> graph(long sinceMillis, long untilMillis, String service) {
        long now = System.currentTimeMillis();
        return commands().thenCompose(c -> RedisGraphRead.read(c, sinceMillis, untilMillis, service, now,
                graphRetentionMillis, prunedGraphBuckets, resources.eventExecutorGroup()));
    }

    // ---------------------------------------------------------------- listing

    /**
     * Walks the query's index ({@link Listing#indexKey}) newest first — {@code ZREVRANGEBYSCORE}
     * (= {@code ZRANGE … BYSCORE REV}) with {@code LIMIT}, score = first_seen ms, equal scores in
     * descending member order, as Redis orders them — from strictly after the cursor position, reads
     * each entry's record with a {@code GET} (pipelined), post-filters on the record, skips and prunes
     * entries whose record is gone, and stops at {@code limit} items plus one more match (then the
     * cursor is the last item), at the end of the index (no cursor), or after
     * {@link Listing#scanBudget} entries (the cursor is the last entry examined: nothing between the
     * last item and it matched).
     */
    @Override
    public CompletableFuture<Page> query(CorrelationQuery query) {
        Objects.requireNonNull(query, "query");
        return commands().thenCompose(c -> new Walk(c, query).run());
    }

    private record Entry(String id, long score) {}

    /** One listing call: state of the walk over the index, advanced round trip by round trip. */
    private final class Walk {
        private final RedisClusterAsyncCommands<String, String> redis;
        private final CorrelationQuery q;
        private final String key;
        private final int budget;
        private final List<CorrelationRecord> items = new ArrayList<>();
        private final Set<String> missing = new LinkedHashSet<>();
        /** Position: everything at or before it (in listing order) is done. Null: start of the range. */
        private Entry pos;
        private Entry lastItem;
        private int examined;
        private int round;
        /** Paging inside one very large group of equal scores (more than {@link #TIE_PAGE} members). */
        private long tieScore = Long.MIN_VALUE;
        private long tieOffset;

        Walk(RedisClusterAsyncCommands<String, String> redis, CorrelationQuery q) {
            this.redis = redis;
            this.q = q;
            this.key = Listing.indexKey(q);
            this.budget = Listing.scanBudget(q.limit());
            Cursor c = q.cursor();
            if (c != null) this.pos = new Entry(c.correlationId(), c.firstSeenMillis());
            // A cursor at or above `until` puts nothing of the range before it: start at the top.
            if (pos != null && q.untilMillis() != null && pos.score >= q.untilMillis()) pos = null;
        }

        CompletableFuture<Page> run() {
            if (pos != null && q.sinceMillis() != null && pos.score < q.sinceMillis()) return finish(null);
            return step();
        }

        private CompletableFuture<Page> step() {
            int want = q.limit() + 1 - items.size(); // one more than needed: is there a next page?
            // First round: exactly what is needed (an unfiltered page costs limit+1 reads); then grow,
            // so that a sparse filter gets through the index in few round trips.
            long size = round == 0 ? want : Math.max((long) want << Math.min(round, 10), MIN_CHUNK);
            int chunk = (int) Math.max(1, Math.min(size, Math.min(MAX_CHUNK, budget - examined)));
            round++;
            return fetch(chunk).toCompletableFuture().thenCompose(fetched -> {
                List<Entry> entries = fetched.entries.size() > chunk ? fetched.entries.subList(0, chunk) : fetched.entries;
                boolean endOfRange = fetched.endOfRange && entries.size() == fetched.entries.size();
                if (entries.isEmpty() && !endOfRange) return step(); // skipped a page of a big tie group
                return readRecords(entries).thenCompose(records -> {
                    for (int i = 0; i < entries.size(); i++) {
                        Entry e = entries.get(i);
                        examined++;
                        pos = e;
                        CorrelationRecord r = records.get(i);
                        if (r == null) continue;
                        if (!Listing.matches(q, r)) continue;
                        if (items.size() == q.limit()) return finish(lastItem); // one more exists
                        items.add(r);
                        lastItem = e;
                    }
                    if (endOfRange) return finish(null);
                    if (examined >= budget) return finish(pos); // bound hit: continue after what was examined
                    return step();
                });
            });
        }

        private record Fetched(List<Entry> entries, boolean endOfRange) {}

        /** The next index entries strictly after {@link #pos} within [since, until), at most {@code chunk}. */
        private CompletionStage<Fetched> fetch(int chunk) {
            Range.Boundary<Long> lower = q.sinceMillis() == null ? Range.Boundary.unbounded()
                    : Range.Boundary.including(q.sinceMillis());
            if (pos == null) {
                Range.Boundary<Long> upper = q.untilMillis() == null ? Range.Boundary.unbounded()
                        : Range.Boundary.excluding(q.untilMillis());
                return range(Range.from(lower, upper), 0, chunk)
                        .thenApply(list -> new Fetched(list, list.size() < chunk));
            }
            // Resuming at (s, id): first the members of score s below id (Redis orders equal scores by
            // member, and REV lists them descending), then everything below s. Both by score and
            // member value, never by offset, so concurrent writes and removals shift nothing.
            long s = pos.score;
            if (tieScore != s) {
                tieScore = s;
                tieOffset = 0;
            }
            String id = pos.id;
            CompletableFuture<List<Entry>> ties = range(Range.create(s, s), tieOffset, TIE_PAGE);
            boolean below = q.sinceMillis() == null || s > q.sinceMillis();
            CompletableFuture<List<Entry>> rest = below
                    ? range(Range.from(lower, Range.Boundary.excluding(s)), 0, chunk)
                    : CompletableFuture.completedFuture(List.of());
            return ties.thenCombine(rest, (tieList, restList) -> {
                List<Entry> out = new ArrayList<>();
                for (Entry e : tieList) {
                    if (e.id.compareTo(id) < 0) out.add(e);
                }
                if (tieList.size() == TIE_PAGE) {
                    // More members of score s than one request brings: page through the group by
                    // offset (only here; exact unless members of that very millisecond are removed
                    // while we page through it). The rest of the index waits until the group is done.
                    if (out.size() <= chunk) tieOffset += TIE_PAGE;
                    return new Fetched(out, false);
                }
                out.addAll(restList);
                return new Fetched(out, restList.size() < chunk);
            });
        }

        private CompletableFuture<List<Entry>> range(Range<Long> range, long offset, int count) {
            return redis.zrevrangebyscoreWithScores(key, range, Limit.create(offset, count)).toCompletableFuture()
                    .thenApply(values -> {
                        List<Entry> out = new ArrayList<>(values.size());
                        for (ScoredValue<String> v : values) {
                            if (v.hasValue()) out.add(new Entry(v.getValue(), (long) v.getScore()));
                        }
                        return out;
                    });
        }

        /** GET of every entry's record, all sent at once (pipelined; single-key, so fine on a cluster). */
        private CompletableFuture<List<CorrelationRecord>> readRecords(List<Entry> entries) {
            List<CompletableFuture<String>> gets = new ArrayList<>(entries.size());
            for (Entry e : entries) gets.add(redis.get(RedisKeys.record(e.id)).toCompletableFuture());
            return CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
                List<CorrelationRecord> out = new ArrayList<>(entries.size());
                for (int i = 0; i < entries.size(); i++) {
                    String json = gets.get(i).join();
                    CorrelationRecord r = null;
                    if (json == null) {
                        missing.add(entries.get(i).id);
                    } else {
                        try {
                            r = RecordCodec.fromJson(json);
                        } catch (RuntimeException bad) {
                            LOG.warn("skipping unreadable record {}: {}", RedisKeys.record(entries.get(i).id),
                                    bad.getMessage());
                        }
                    }
                    out.add(r);
                }
                return out;
            });
        }

        private CompletableFuture<Page> finish(Entry cursorAt) {
            for (String cid : missing) prune(redis, cid); // in the background: the answer does not wait
            Cursor next = cursorAt == null ? null : new Cursor(cursorAt.score, cursorAt.id);
            return CompletableFuture.completedFuture(new Page(List.copyOf(items), next));
        }
    }

    /**
     * The reader's half of index trimming (SPEC §5, the same steps as the job's
     * {@code IndexTrimmer.pruneIfMissing}): when {@code corr:<cid>} no longer exists, remove cid from
     * every index listed in {@code corr:idx:<cid>} (and the time and error indexes in any case), then
     * drop its bookkeeping. Single-key commands only.
     */
    CompletableFuture<Boolean> prune(RedisClusterAsyncCommands<String, String> redis, String cid) {
        long now = System.currentTimeMillis();
        // Only entries whose record is due to have expired: on a cluster (or after a script reload) an
        // index entry can land before its record, and pruning that one would hide the record for good.
        CompletableFuture<Boolean> done = redis.zscore(RedisKeys.EXPIRIES, cid).toCompletableFuture()
                .thenCompose(expiresAt -> expiresAt == null || expiresAt > now
                        ? CompletableFuture.completedFuture(1L)
                        : redis.exists(RedisKeys.record(cid)).toCompletableFuture())
                .thenCompose(n -> {
            if (n != 0) return CompletableFuture.completedFuture(false); // not expired, or written again meanwhile
            String indexesOf = RedisKeys.indexesOf(cid);
            return redis.smembers(indexesOf).toCompletableFuture().thenCompose(members -> {
                Set<String> indexes = new LinkedHashSet<>(members);
                indexes.add(RedisKeys.TIME_INDEX);
                indexes.add(RedisKeys.ERRORS_INDEX);
                List<CompletableFuture<Long>> removals = new ArrayList<>();
                CompletableFuture<Long> fromTimeIndex = null;
                for (String index : indexes) {
                    CompletableFuture<Long> removal = redis.zrem(index, cid).toCompletableFuture();
                    removals.add(removal);
                    if (index.equals(RedisKeys.TIME_INDEX)) fromTimeIndex = removal;
                }
                // Counted once per id, by the reader whose ZREM took it out of the time index: two
                // listings on different connections may meet the same missing record at once.
                CompletableFuture<Long> counted = fromTimeIndex;
                return CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new))
                        .thenCompose(ignored -> redis.zrem(RedisKeys.EXPIRIES, cid))
                        .thenCompose(ignored -> redis.del(indexesOf))
                        .thenApply(ignored -> {
                            if (counted.join() > 0) pruned.incrementAndGet();
                            return true;
                        });
            });
        });
        done.whenComplete((ok, error) -> {
            if (error != null) LOG.debug("pruning index entries of {} failed: {}", cid, error.toString());
        });
        return done;
    }

    // ---------------------------------------------------------------- connection

    /** The async commands of the next connection. */
    private CompletableFuture<RedisClusterAsyncCommands<String, String>> commands() {
        return connection().thenApply(RedisCorrelationStore::asyncOf);
    }

    /**
     * The next connection, round-robin, connecting first when it has none (or its last attempt
     * failed). The lock is taken only to (re)connect.
     */
    private CompletableFuture<StatefulConnection<String, String>> connection() {
        int slot = connections.length() == 1 ? 0 : localSlot();
        if (slot < 0) slot = Math.floorMod(nextConnection.getAndIncrement(), connections.length());
        CompletableFuture<StatefulConnection<String, String>> current = connections.get(slot);
        if (current != null && !current.isCompletedExceptionally() && !closed) return current;
        synchronized (this) {
            if (closed) return CompletableFuture.failedFuture(new IllegalStateException("store closed"));
            current = connections.get(slot);
            if (current == null || current.isCompletedExceptionally()) {
                current = connect();
                connections.set(slot, current);
            }
            return current;
        }
    }

    /**
     * The connection whose replies arrive on the calling thread, or -1. The API's HTTP server runs on
     * this store's I/O threads ({@link #eventLoops()}): a request served on the thread of the connection
     * it uses writes its command and its response without handing either to another thread.
     */
    private int localSlot() {
        Thread me = Thread.currentThread();
        for (int i = 0; i < replyThreads.length(); i++) {
            if (replyThreads.get(i) == me) return i;
        }
        return -1;
    }

    /**
     * Notes that {@code c}'s replies complete on the calling thread (called from a reply's callback).
     * Learnt from the replies themselves, so that a reconnect that moves the connection to another
     * thread is followed.
     */
    private void noteReplyThread(StatefulConnection<String, String> c) {
        Thread me = Thread.currentThread();
        for (int i = 0; i < connections.length(); i++) {
            CompletableFuture<StatefulConnection<String, String>> slot = connections.get(i);
            if (slot != null && slot.getNow(null) == c) {
                if (replyThreads.get(i) != me) replyThreads.set(i, me);
                return;
            }
        }
    }

    /**
     * The I/O threads (netty event loops) this store's connections run on, for the API's HTTP server to
     * share; {@link #releaseEventLoops} when done. Null for a cluster store, whose commands go to
     * several nodes' connections.
     */
    public EventLoopGroup eventLoops() {
        if (endpoint.cluster()) return null;
        return resources.eventLoopGroupProvider().allocate(Transports.eventLoopGroupClass());
    }

    public void releaseEventLoops(EventLoopGroup group) {
        resources.eventLoopGroupProvider().release(group, 0, 2, TimeUnit.SECONDS);
    }

    private CompletableFuture<StatefulConnection<String, String>> connect() {
        if (!endpoint.cluster()) {
            return client.connectAsync(StringCodec.UTF8, endpoint.nodes().get(0)).toCompletableFuture()
                    .thenApply(c -> c);
        }
        // The cluster client needs its topology before it connects (asynchronously too, so that a
        // store created while the cluster is down just fails calls until it is up).
        return clusterClient.refreshPartitionsAsync().toCompletableFuture()
                .thenCompose(ignored -> clusterClient.connectAsync(StringCodec.UTF8))
                .thenApply(c -> c);
    }

    private static RedisClusterAsyncCommands<String, String> asyncOf(StatefulConnection<String, String> c) {
        if (c instanceof StatefulRedisClusterConnection<String, String> cluster) return cluster.async();
        return ((StatefulRedisConnection<String, String>) c).async();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        for (int i = 0; i < connections.length(); i++) {
            CompletableFuture<StatefulConnection<String, String>> c = connections.get(i);
            if (c != null && c.isDone() && !c.isCompletedExceptionally()) c.join().close();
        }
        if (client != null) client.shutdown(0, 2, TimeUnit.SECONDS);
        if (clusterClient != null) clusterClient.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
}
