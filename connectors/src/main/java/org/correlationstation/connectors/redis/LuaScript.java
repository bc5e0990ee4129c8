package org.correlationstation.connectors.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
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

/**
 * A Lua script shipped next to this class, run as EVALSHA, and as EVAL when the server does not know it
 * (after a restart or failover), which also loads it for the next calls. Answers an integer.
 */
final class LuaScript {
    private final String script;
    private final String sha;

    LuaScript(String resource) {
        this.script = load(resource);
        this.sha = sha1Hex(script);
    }

    /**
     * Runs the script on {@code keys} with {@code args}; {@code flush} is run after the EVAL a NOSCRIPT
     * answer causes (on a connection that leaves flushing to its user, the caller's flush may have come
     * and gone by then).
     */
    CompletableFuture<Long> run(RedisClusterAsyncCommands<String, String> commands, Runnable flush, String[] keys,
            String... args) {
        return commands.<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, args).toCompletableFuture()
                .exceptionallyCompose(error -> {
                    if (!isNoScript(error)) return CompletableFuture.failedFuture(error);
                    CompletableFuture<Long> byScript =
                            commands.<Long>eval(script, ScriptOutputType.INTEGER, keys, args).toCompletableFuture();
                    flush.run();
                    return byScript;
                });
    }

    private static boolean isNoScript(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return e instanceof RedisNoScriptException
                || (e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT"));
    }

    private static String load(String resource) {
        try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " next to " + LuaScript.class);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1Hex(String text) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(sha1.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JVM", e);
        }
    }
}
