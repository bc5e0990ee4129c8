package org.correlationstation.connectors.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.correlationstation.core.redis.RedisKeys;

/**
 * The compare-and-set of one record key ({@code cas_record.lua}): EVALSHA, and EVAL when the server
 * does not know the script (after a restart or failover), which also loads it for the next calls.
 */
public final class CasScript {
    /** What the script returns when it left the stored record as it was. */
    public static final long REJECTED = -1;

    private static final String RESOURCE = "cas_record.lua";

    private final String script;
    private final String sha;

    public CasScript() {
        this.script = load(RESOURCE);
        this.sha = sha1Hex(script);
    }

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
        String[] keys = {RedisKeys.record(write.correlationId())};
        String[] args = {
            write.json(),
            Long.toString(ttlMillis),
            Long.toString(write.progress()),
            write.closed() ? "1" : "0",
            Long.toString(write.version())
        };
        CompletableFuture<Long> bySha =
                commands.<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, args).toCompletableFuture();
        return bySha.exceptionallyCompose(error -> {
            if (!isNoScript(error)) return CompletableFuture.failedFuture(error);
            CompletionStage<Long> byScript = commands.<Long>eval(script, ScriptOutputType.INTEGER, keys, args);
            flush.run();
            return byScript;
        });
    }

    static boolean isNoScript(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return e instanceof RedisNoScriptException
                || (e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT"));
    }

    /** A Lua script shipped next to this class. */
    static String load(String resource) {
        try (InputStream in = CasScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " next to " + CasScript.class);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha1Hex(String text) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(sha1.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JVM", e);
        }
    }
}
