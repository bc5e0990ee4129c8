package org.correlationstation.connectors.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
 * <p>{@link #pruneIfMissing} is the same step for one id, for readers that meet a missing record.
 * Not atomic: a record written again between the existence check and the removals loses its index
 * entries until its next write, which re-adds them.
 */
public final class IndexTrimmer {
    /** How many pages a round takes at most, so that one round cannot run away. */
    private static final int MAX_PAGES_PER_ROUND = 100;

    private final RedisClusterAsyncCommands<String, String> commands;
    private final int pageSize;

    public IndexTrimmer(RedisClusterAsyncCommands<String, String> commands, int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be >= 1");
        }
        this.commands = commands;
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
        return commands.zrangebyscore(RedisKeys.EXPIRIES, Range.create(Double.NEGATIVE_INFINITY, (double) nowMillis),
                        Limit.create(0, pageSize))
                .thenCompose(due -> {
                    List<CompletableFuture<Boolean>> results = new ArrayList<>(due.size());
                    for (String cid : due) {
                        results.add(trimOne(cid, nowMillis).toCompletableFuture());
                    }
                    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
                        int pruned = 0;
                        for (CompletableFuture<Boolean> r : results) {
                            if (r.join()) {
                                pruned++;
                            }
                        }
                        return new PageResult(due.size(), pruned);
                    });
                });
    }

    /** True when it pruned; otherwise the id got its real expiry back (or left the schedule). */
    private CompletionStage<Boolean> trimOne(String cid, long nowMillis) {
        return commands.pttl(RedisKeys.record(cid)).thenCompose(pttl -> {
            if (pttl == -2) {
                return prune(cid).thenApply(ignored -> true);
            }
            if (pttl == -1) {
                // No expiry (set by hand): nothing will ever expire, so stop watching it.
                return commands.zrem(RedisKeys.EXPIRIES, cid).thenApply(ignored -> false);
            }
            return commands.zadd(RedisKeys.EXPIRIES, (double) (nowMillis + Math.max(pttl, 1)), cid).thenApply(ignored -> false);
        });
    }

    /**
     * Removes {@code correlationId} from every index when its record no longer exists.
     *
     * @return whether it was missing (and pruned)
     */
    public CompletionStage<Boolean> pruneIfMissing(String correlationId) {
        return commands.exists(RedisKeys.record(correlationId)).thenCompose(count -> count == 0
                ? prune(correlationId).thenApply(ignored -> true)
                : CompletableFuture.completedFuture(false));
    }

    private CompletionStage<Void> prune(String cid) {
        String indexesOf = RedisKeys.indexesOf(cid);
        return commands.smembers(indexesOf).thenCompose(members -> {
            // The time and error indexes too, in case the bookkeeping set itself expired already.
            Set<String> indexes = new LinkedHashSet<>(members);
            indexes.add(RedisKeys.TIME_INDEX);
            indexes.add(RedisKeys.ERRORS_INDEX);
            List<CompletableFuture<Long>> removals = new ArrayList<>(indexes.size());
            for (String index : indexes) {
                removals.add(commands.zrem(index, cid).toCompletableFuture());
            }
            // The bookkeeping goes last: if a removal fails, the id stays due and the next round redoes it.
            return CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new))
                    .thenCompose(ignored -> commands.zrem(RedisKeys.EXPIRIES, cid))
                    .thenCompose(ignored -> commands.del(indexesOf))
                    .thenApply(ignored -> null);
        });
    }
}
