package org.correlationstation.connectors.redis;

import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.correlationstation.core.redis.RedisKeys;

/**
 * The compare-and-set of one record key ({@code cas_record.lua}, a {@link LuaScript}).
 */
public final class CasScript {
    /** What the script returns when it left the stored record as it was. */
    public static final long REJECTED = -1;

    private static final String RESOURCE = "cas_record.lua";

    private final LuaScript script = new LuaScript(RESOURCE);

    /**
     * Writes {@code write} unless the stored record is more advanced, on a connection that flushes each
     * command.
     *
     * @return the version stored, or {@link #REJECTED}
     */
    public CompletionStage<Long> write(
            RedisClusterAsyncCommands<String, String> commands, RedisRecordWrite write, long ttlMillis) {
        return write(commands, RecordBatchWriter.FLUSHES_ITSELF, write, ttlMillis);
    }

    /**
     * As {@link #write(RedisClusterAsyncCommands, RedisRecordWrite, long)}, on a connection that leaves
     * flushing to its user: the caller flushes the first command; {@code flush} is run after each command
     * a reply causes (the caller's flush may have come and gone by then).
     */
    public CompletionStage<Long> write(RedisClusterAsyncCommands<String, String> commands, Runnable flush,
            RedisRecordWrite write, long ttlMillis) {
        if (write.version() == 1) {
            // A trace's first emission almost always finds nothing stored, and then the script would only
            // SET it: SET NX does that without running Lua (the script was most of Redis's time). When a
            // record is there (a replay after a restore), the script decides as for any other write.
            return commands.set(RedisKeys.record(write.correlationId()), write.json(), SetArgs.Builder.px(ttlMillis).nx())
                    .toCompletableFuture()
                    .thenCompose(ok -> {
                        if (ok != null) return CompletableFuture.completedFuture(1L);
                        CompletionStage<Long> byScript = compareAndSet(commands, flush, write, ttlMillis);
                        flush.run();
                        return byScript;
                    });
        }
        return compareAndSet(commands, flush, write, ttlMillis);
    }

    private CompletionStage<Long> compareAndSet(RedisClusterAsyncCommands<String, String> commands, Runnable flush,
            RedisRecordWrite write, long ttlMillis) {
        return script.run(commands, flush, new String[] {RedisKeys.record(write.correlationId())},
                write.json(),
                Long.toString(ttlMillis),
                Long.toString(write.progress()),
                write.closed() ? "1" : "0",
                Long.toString(write.version()));
    }
}
