package org.correlationstation.connectors.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.correlationstation.core.redis.RedisKeys;

/**
 * Removes index entries whose record expired (SPEC §5), with single-key commands only. The sink
 * records, per correlation id, when its record is due to expire ({@code corr:expiries}) and which
 * index keys hold it ({@code corr:idx:<cid>}); a round takes the due ids, and for each one whose record
 * key is gone removes it from those indexes, then drops its bookkeeping. An id whose record is still
 * there (written again since) is rescheduled at its current expiry.
 *
 * <p>A page of due ids is handled in four steps, each one command per id or per key for the whole page
 * (a {@code ZREM} per index with every id of the page it holds): with a command per id and index, a
 * round after a minute of expiries sent ~10 commands per record, each a write and a reply, and that burst
 * took the Redis client's thread and {@code redis-server} a tenth of a core each in the long soak
 * (bench/README.md "Session 20").
 *
 * <p>{@link #pruneIfMissing} is the same step for one id, for readers that meet a missing record.
 * Not atomic: a record written again between the existence check and the removals loses its index
 * entries until its next write, which re-adds them.
 */
public final class IndexTrimmer {
    /** How many pages a round takes at most, so that one round cannot run away. */
    private static final int MAX_PAGES_PER_ROUND = 100;

    private final RedisClusterAsyncCommands<String, String> commands;
    private final Runnable flush;
    private final int pageSize;

    /** On a connection that flushes each command. */
    public IndexTrimmer(RedisClusterAsyncCommands<String, String> commands, int pageSize) {
        this(commands, RecordBatchWriter.FLUSHES_ITSELF, pageSize);
    }

    /**
     * On a connection that leaves flushing to its user ({@link RedisConnector#pipeline()}): {@code flush} runs
     * once each step's commands are issued, so that they reach Redis in one write.
     */
    IndexTrimmer(RedisClusterAsyncCommands<String, String> commands, Runnable flush, int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be >= 1");
        }
        this.commands = commands;
        this.flush = flush;
        this.pageSize = pageSize;
    }

    /** Trims every id due at {@code nowMillis}, page by page; completes with how many were pruned. */
    public CompletionStage<Integer> trimDue(long nowMillis) {
        return trimPages(nowMillis, 0, 0);
    }

    private CompletionStage<Integer> trimPages(long nowMillis, int page, int prunedSoFar) {
        return trimPage(nowMillis).thenCompose(result -> {
            int pruned = prunedSoFar + result.pruned();
            // A full page may mean more are due; handled ids left the due range, so the next page is new.
            if (result.examined() < pageSize || page + 1 >= MAX_PAGES_PER_ROUND) {
                return CompletableFuture.completedFuture(pruned);
            }
            return trimPages(nowMillis, page + 1, pruned);
        });
    }

    private record PageResult(int examined, int pruned) {}

    private CompletionStage<PageResult> trimPage(long nowMillis) {
        CompletionStage<List<String>> page = commands.zrangebyscore(RedisKeys.EXPIRIES,
                Range.create(Double.NEGATIVE_INFINITY, (double) nowMillis), Limit.create(0, pageSize));
        flush.run();
        return page.thenCompose(due -> {
            if (due.isEmpty()) return CompletableFuture.completedFuture(new PageResult(0, 0));
            List<CompletableFuture<Long>> ttls = new ArrayList<>(due.size());
            for (String cid : due) ttls.add(commands.pttl(RedisKeys.record(cid)).toCompletableFuture());
            flush.run();
            return CompletableFuture.allOf(ttls.toArray(CompletableFuture[]::new)).thenCompose(ignored -> {
                List<String> gone = new ArrayList<>();
                List<String> unwatched = new ArrayList<>();
                List<ScoredValue<String>> rescheduled = new ArrayList<>();
                for (int i = 0; i < due.size(); i++) {
                    long pttl = ttls.get(i).join();
                    if (pttl == -2) {
                        gone.add(due.get(i));
                    } else if (pttl == -1) {
                        // No expiry (set by hand): nothing will ever expire, so stop watching it.
                        unwatched.add(due.get(i));
                    } else {
                        // Written again since: due again at its current expiry.
                        rescheduled.add(ScoredValue.just((double) (nowMillis + Math.max(pttl, 1)), due.get(i)));
                    }
                }
                List<CompletableFuture<Long>> updates = new ArrayList<>(2);
                if (!unwatched.isEmpty()) updates.add(commands.zrem(RedisKeys.EXPIRIES, unwatched.toArray(String[]::new)).toCompletableFuture());
                if (!rescheduled.isEmpty()) updates.add(commands.zadd(RedisKeys.EXPIRIES, RecordBatchWriter.scored(rescheduled)).toCompletableFuture());
                flush.run();
                return prune(gone).thenCompose(done -> CompletableFuture.allOf(updates.toArray(CompletableFuture[]::new)))
                        .thenApply(done -> new PageResult(due.size(), gone.size()));
            });
        });
    }

    /**
     * Removes {@code correlationId} from every index when its record no longer exists.
     *
     * @return whether it was missing (and pruned)
     */
    public CompletionStage<Boolean> pruneIfMissing(String correlationId) {
        CompletionStage<Long> exists = commands.exists(RedisKeys.record(correlationId));
        flush.run();
        return exists.thenCompose(count -> count == 0
                ? prune(correlationId).thenApply(ignored -> true)
                : CompletableFuture.completedFuture(false));
    }

    private CompletionStage<Void> prune(String cid) {
        return prune(List.of(cid));
    }

    /** Removes {@code cids}, whose records are gone, from every index that holds them, then their bookkeeping. */
    private CompletionStage<Void> prune(List<String> cids) {
        if (cids.isEmpty()) return CompletableFuture.completedFuture(null);
        List<CompletableFuture<Set<String>>> members = new ArrayList<>(cids.size());
        for (String cid : cids) members.add(commands.smembers(RedisKeys.indexesOf(cid)).toCompletableFuture());
        flush.run();
        return CompletableFuture.allOf(members.toArray(CompletableFuture[]::new)).thenCompose(ignored -> {
            // The time and error indexes take every id, in case its bookkeeping set itself expired already.
            Map<String, List<String>> byIndex = new LinkedHashMap<>();
            byIndex.put(RedisKeys.TIME_INDEX, cids);
            byIndex.put(RedisKeys.ERRORS_INDEX, cids);
            for (int i = 0; i < cids.size(); i++) {
                for (String index : members.get(i).join()) {
                    if (index.equals(RedisKeys.TIME_INDEX) || index.equals(RedisKeys.ERRORS_INDEX)) continue;
                    byIndex.computeIfAbsent(index, k -> new ArrayList<>()).add(cids.get(i));
                }
            }
            List<CompletableFuture<Long>> removals = new ArrayList<>(byIndex.size());
            byIndex.forEach((index, ids) -> removals.add(commands.zrem(index, ids.toArray(String[]::new)).toCompletableFuture()));
            flush.run();
            // The bookkeeping goes last: if a removal fails, the ids stay due and the next round redoes them.
            return CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new)).thenCompose(removed -> {
                List<CompletableFuture<Long>> bookkeeping = new ArrayList<>(cids.size() + 1);
                bookkeeping.add(commands.zrem(RedisKeys.EXPIRIES, cids.toArray(String[]::new)).toCompletableFuture());
                for (String cid : cids) bookkeeping.add(commands.del(RedisKeys.indexesOf(cid)).toCompletableFuture());
                flush.run();
                return CompletableFuture.allOf(bookkeeping.toArray(CompletableFuture[]::new));
            });
        });
    }
}
