package org.correlationstation.api.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
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
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
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
import java.util.concurrent.atomic.AtomicLong;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis store of the query API (SPEC §5–6), reading what the job's Redis sink writes
 * ({@code docs/redis.md}). Fully asynchronous on lettuce: no call blocks the caller's thread.
 *
 * <p><b>One multiplexed connection</b> (standalone, or a cluster connection that routes each
 * command by slot) rather than a pool: every command is a single-key, non-blocking read (plus the
 * pruning {@code ZREM}s); there are no transactions or blocking commands that would need a
 * connection of their own, and lettuce pipelines concurrent requests on one connection, which is
 * what a pool would otherwise buy. {@code REDIS_MAX_CONNECTIONS} is therefore not used.
 *
 * <p>The connection is opened lazily and asynchronously: the store is created while Redis is down,
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

    /** Members of one score fetched per request when resuming inside a group of equal first_seen. */
    static final int TIE_PAGE = 1_000;
    /** Most index entries fetched (and records read) per round trip. */
    static final int MAX_CHUNK = 1_024;
    private static final int MIN_CHUNK = 16;
    /** Commands queued per connection at most (while a cluster node reconnects). */
    private static final int REQUEST_QUEUE_SIZE = 100_000;

    private final RedisEndpoint endpoint;
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisClusterClient clusterClient;
    private final AtomicLong pruned = new AtomicLong();
    private CompletableFuture<? extends StatefulConnection<String, String>> connection;
    private boolean closed;

    private RedisCorrelationStore(RedisEndpoint endpoint, Duration commandTimeout, Duration maxReconnectDelay) {
        this.endpoint = endpoint;
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), maxReconnectDelay, 2, TimeUnit.MILLISECONDS))
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
        LOG.info("Redis correlation store: {} (command timeout {} ms)", endpoint.describe(), commandTimeout.toMillis());
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
        requirePositive(commandTimeout, "commandTimeout");
        requirePositive(maxReconnectDelay, "maxReconnectDelay");
        return new RedisCorrelationStore(RedisEndpoint.parse(redisUri), commandTimeout, maxReconnectDelay);
    }

    /** Hosts and ports, for logs and health output (never the password). */
    public String endpoint() {
        return endpoint.describe();
    }

    public boolean isCluster() {
        return endpoint.cluster();
    }

    /** How many index entries readers removed because their record was gone (for tests and metrics). */
    public long prunedEntries() {
        return pruned.get();
    }

    // ---------------------------------------------------------------- lookups

    @Override
    public CompletableFuture<Optional<CorrelationRecord>> byTraceId(String traceId) {
        return commands().thenCompose(c -> c.get(RedisKeys.trace(traceId)).thenCompose(cid -> cid == null
                ? CompletableFuture.completedFuture(Optional.<CorrelationRecord>empty())
                : c.get(RedisKeys.record(cid)).thenApply(RedisCorrelationStore::decode)));
    }

    @Override
    public CompletableFuture<Optional<CorrelationRecord>> byCorrelationId(String correlationId) {
        return commands().thenCompose(c -> c.get(RedisKeys.record(correlationId)).thenApply(RedisCorrelationStore::decode));
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
                for (String index : indexes) removals.add(redis.zrem(index, cid).toCompletableFuture());
                return CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new))
                        .thenCompose(ignored -> redis.zrem(RedisKeys.EXPIRIES, cid))
                        .thenCompose(ignored -> redis.del(indexesOf))
                        .thenApply(ignored -> {
                            pruned.incrementAndGet();
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

    /** The async commands, connecting first when there is no connection (or the last attempt failed). */
    private CompletableFuture<RedisClusterAsyncCommands<String, String>> commands() {
        CompletableFuture<? extends StatefulConnection<String, String>> current;
        synchronized (this) {
            if (closed) return CompletableFuture.failedFuture(new IllegalStateException("store closed"));
            if (connection == null || connection.isCompletedExceptionally()) {
                // The cluster client needs its topology before it connects (asynchronously too, so
                // that a store created while the cluster is down just fails calls until it is up).
                connection = endpoint.cluster()
                        ? clusterClient.refreshPartitionsAsync().toCompletableFuture()
                                .thenCompose(ignored -> clusterClient.connectAsync(StringCodec.UTF8))
                        : client.connectAsync(StringCodec.UTF8, endpoint.nodes().get(0)).toCompletableFuture();
            }
            current = connection;
        }
        return current.thenApply(RedisCorrelationStore::asyncOf);
    }

    private static RedisClusterAsyncCommands<String, String> asyncOf(StatefulConnection<String, String> c) {
        if (c instanceof StatefulRedisClusterConnection<String, String> cluster) return cluster.async();
        return ((StatefulRedisConnection<String, String>) c).async();
    }

    @Override
    public void close() {
        CompletableFuture<? extends StatefulConnection<String, String>> current;
        synchronized (this) {
            if (closed) return;
            closed = true;
            current = connection;
        }
        if (current != null && current.isDone() && !current.isCompletedExceptionally()) current.join().close();
        if (client != null) client.shutdown(0, 2, TimeUnit.SECONDS);
        if (clusterClient != null) clusterClient.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
}
