package org.correlationstation.connectors.redis;

import io.lettuce.core.ScoredValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.correlationstation.core.redis.RedisKeys;

/**
 * The SPEC §5 writes of a batch of records on one connection (lettuce pipelines them), all single-key,
 * so they work on Redis Cluster: the batch's compare-and-sets at once, then at once the trace keys,
 * indexes and bookkeeping of the records they took. The batch completes when every command
 * was acknowledged; any failure fails the whole batch, which is then retried as a whole: every
 * command is idempotent (the compare-and-set included), so a partly applied batch is safe to redo.
 */
public final class RecordBatchWriter {
    /**
     * How many indexed records a writer remembers ({@link IndexedRecords}, ~150 bytes each): a trace's
     * records come within its window and its close, and a writer of the benchmark's 100k events/s at
     * parallelism 2 writes ~1,300 records/s.
     */
    static final int INDEXED_RECORDS_REMEMBERED = 100_000;
    /** The flush of a connection that flushes each command as it is issued (lettuce's default). */
    static final Runnable FLUSHES_ITSELF = () -> {};

    private final CasScript cas;
    private final long ttlMillis;
    private final long bookkeepingTtlMillis;
    private final long trimIntervalMillis;
    private final IndexedRecords indexed;

    public RecordBatchWriter(CasScript cas, RedisSinkOptions options) {
        this.cas = cas;
        this.ttlMillis = options.recordTtl().toMillis();
        this.bookkeepingTtlMillis = options.bookkeepingTtl().toMillis();
        this.trimIntervalMillis = options.indexTrimInterval().toMillis();
        this.indexed = new IndexedRecords(INDEXED_RECORDS_REMEMBERED, ttlMillis);
    }

    /**
     * The newest record per correlation id, in first-seen order: the writes of an older emission in the
     * same batch would only be overwritten (or rejected) by the newer one.
     */
    public static List<RedisRecordWrite> latestPerCorrelation(Collection<RedisRecordWrite> batch) {
        Map<String, RedisRecordWrite> latest = new LinkedHashMap<>();
        for (RedisRecordWrite write : batch) {
            latest.merge(write.correlationId(), write,
                    (kept, next) -> next.isAtLeastAsAdvancedAs(kept) ? next : kept);
        }
        return new ArrayList<>(latest.values());
    }

    /**
     * Sends the writes of {@code batch} (already deduplicated) at wall-clock time {@code nowMillis}, on a
     * connection that flushes each command.
     */
    public CompletionStage<BatchResult> write(
            RedisClusterAsyncCommands<String, String> commands, List<RedisRecordWrite> batch, long nowMillis) {
        return write(commands, FLUSHES_ITSELF, batch, nowMillis);
    }

    /**
     * As {@link #write(RedisClusterAsyncCommands, List, long)}, on a connection that leaves flushing to its
     * user ({@link RedisConnector#pipeline()}): {@code flush} is run once the batch's commands are issued,
     * and after any command a reply causes.
     */
    public CompletionStage<BatchResult> write(RedisClusterAsyncCommands<String, String> commands, Runnable flush,
            List<RedisRecordWrite> batch, long nowMillis) {
        List<CompletableFuture<Long>> versions = new ArrayList<>(batch.size());
        for (RedisRecordWrite write : batch) versions.add(cas.write(commands, flush, write, ttlMillis).toCompletableFuture());
        flush.run();
        // The rest waits for the compare-and-set's answers (one round trip more per batch): a rejected
        // write refreshes nothing, or a stream of stale writes (replays after a restore) would keep
        // postponing the expiries of the trace key and the indexes, and with them the trimming.
        CompletableFuture<BatchResult> result = CompletableFuture.allOf(versions.toArray(CompletableFuture[]::new))
                .thenCompose(ignored -> {
                    List<RedisRecordWrite> accepted = new ArrayList<>(batch.size());
                    for (int i = 0; i < batch.size(); i++) {
                        if (versions.get(i).join() != CasScript.REJECTED) accepted.add(batch.get(i));
                    }
                    int rejected = batch.size() - accepted.size();
                    return bookkeeping(commands, flush, accepted, nowMillis)
                            .thenApply(done -> new BatchResult(accepted.size(), rejected));
                });
        // A failure may be a Redis that restarted empty: index everything anew from here on.
        result.whenComplete((ok, error) -> {
            if (error != null) indexed.clear();
        });
        return result;
    }

    /** The trace key, the indexes and the trimmer's bookkeeping of the records Redis took. */
    private CompletableFuture<Void> bookkeeping(RedisClusterAsyncCommands<String, String> commands, Runnable flush,
            List<RedisRecordWrite> accepted, long nowMillis) {
        if (accepted.isEmpty()) return CompletableFuture.completedFuture(null);
        List<CompletableFuture<?>> acks = new ArrayList<>(accepted.size() * 3 + 16);
        // One ZADD per index key for the whole batch rather than one per record and index: a record is in
        // the time index and in one index per service, so per-record ZADDs were most of the commands
        // (and of the client's and the server's work).
        Map<String, List<ScoredValue<String>>> byIndex = new LinkedHashMap<>();
        // Every index key a record of the batch is in gets its expiry refreshed, indexed anew or not.
        Set<String> touchedIndexes = new LinkedHashSet<>();
        List<ScoredValue<String>> expiries = new ArrayList<>(accepted.size());
        List<RedisRecordWrite> newlyIndexed = new ArrayList<>(accepted.size());
        List<List<String>> newlyIndexedKeys = new ArrayList<>(accepted.size());
        SetArgs traceTtl = SetArgs.Builder.px(ttlMillis);
        // LT: only ever lower an index score. first_seen can only move earlier as a trace's record
        // advances, so the index ends up with the most advanced record's first_seen even when an
        // older emission's bookkeeping lands later.
        ZAddArgs lowerOnly = ZAddArgs.Builder.lt();

        for (RedisRecordWrite write : accepted) {
            String cid = write.correlationId();
            acks.add(commands.set(RedisKeys.trace(write.traceId()), cid, traceTtl).toCompletableFuture());

            List<String> indexes = write.indexKeys();
            touchedIndexes.addAll(indexes);
            String indexesOf = RedisKeys.indexesOf(cid);
            long indexedAt = indexed.indexedAt(write, indexes, nowMillis);
            if (indexedAt < 0) {
                ScoredValue<String> entry = ScoredValue.just((double) write.firstSeenMillis(), cid);
                for (String index : indexes) {
                    byIndex.computeIfAbsent(index, k -> new ArrayList<>()).add(entry);
                }
                // Bookkeeping for IndexTrimmer: when the record is due to expire, and where it is indexed.
                // A later write needs no new due time: the trimmer reschedules a record that is still there.
                expiries.add(ScoredValue.just((double) (nowMillis + ttlMillis), cid));
                acks.add(commands.sadd(indexesOf, indexes.toArray(String[]::new)).toCompletableFuture());
                newlyIndexed.add(write);
                newlyIndexedKeys.add(indexes);
            }
            // The bookkeeping must outlive the record, whose TTL this write refreshes, by a trim round: the
            // trimmer reads it once the record is gone. Set with the SADD to the TTL plus two rounds, it still
            // does for a round after that; a trace's re-emissions come within seconds, so most skip this.
            if (indexedAt < 0 || nowMillis - indexedAt >= trimIntervalMillis) {
                acks.add(commands.pexpire(indexesOf, bookkeepingTtlMillis).toCompletableFuture());
            }
        }
        for (Map.Entry<String, List<ScoredValue<String>>> index : byIndex.entrySet()) {
            acks.add(commands.zadd(index.getKey(), lowerOnly, scored(index.getValue())).toCompletableFuture());
        }
        for (String index : touchedIndexes) {
            // Refreshed on write, so an idle service's index expires.
            acks.add(commands.pexpire(index, ttlMillis).toCompletableFuture());
        }
        if (!expiries.isEmpty()) acks.add(commands.zadd(RedisKeys.EXPIRIES, scored(expiries)).toCompletableFuture());
        acks.add(commands.pexpire(RedisKeys.EXPIRIES, bookkeepingTtlMillis).toCompletableFuture());
        flush.run();
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).thenRun(() -> {
            for (int i = 0; i < newlyIndexed.size(); i++) {
                indexed.indexed(newlyIndexed.get(i), newlyIndexedKeys.get(i), nowMillis);
            }
        });
    }

    @SuppressWarnings("unchecked")
    static ScoredValue<String>[] scored(List<ScoredValue<String>> values) {
        return values.toArray(ScoredValue[]::new);
    }
}
