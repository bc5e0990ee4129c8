package org.correlationstation.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** What {@link RedisCluster} and {@link RedisSentinels} share: redis-cli, polling, and cleaning up their processes. */
final class RedisProcesses {
    static final String HOST = "127.0.0.1";
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private RedisProcesses() {}

    /** redis-cli next to the server binary (or Debian's). */
    static Path cli(Path server) {
        Path cli = server.resolveSibling("redis-cli");
        return Files.isExecutable(cli) ? cli : Path.of("/usr/bin/redis-cli");
    }

    /** One redis-cli command against {@code port}; its output. */
    static String cli(Path cli, int port, String... args) {
        List<String> command = new ArrayList<>(List.of(cli.toString(), "-h", HOST, "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        return run(command);
    }

    static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("timed out waiting for " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    /** SIGKILL to one process, waiting for it to be gone. */
    static void kill(Process p) {
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every process killed, then their directory removed. */
    static void stopAll(Collection<Process> processes, Path dir) {
        for (Process p : processes) p.destroyForcibly();
        for (Process p : processes) kill(p);
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
