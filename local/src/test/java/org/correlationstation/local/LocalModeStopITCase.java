package org.correlationstation.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.correlationstation.core.testing.FreePorts;
import org.correlationstation.core.testing.RedisServer;
import org.correlationstation.local.flink.RestorePoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./bin/correlation-station local --demo} as a user runs it, a process of its own writing to a
 * real redis-server, stopped with signals after that Redis went away (issue 22, item 6). The
 * stop-with-savepoint then waits for the Redis sink, which retries for as long as it takes (SPEC §7),
 * so without a bound the process never ends: it must give up after {@code SHUTDOWN_TIMEOUT_SECONDS},
 * say so, and leave the last completed checkpoint for the next start; a second signal must end it at once.
 */
class LocalModeStopITCase {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final long SHUTDOWN_TIMEOUT_SECONDS = 5;
    /**
     * After the timeout: the job's cancellation, then the API, the receiver and the broker stop. The
     * stop this bounds took over two minutes before (the old fixed savepoint timeout), and forever
     * before that.
     */
    private static final Duration STOP_MARGIN = Duration.ofSeconds(40);
    /** A second signal halts: the JVM's exit, nothing else. */
    private static final Duration HALT_BOUND = Duration.ofSeconds(15);

    @TempDir
    Path data;

    private RedisServer redis;
    private Process local;
    private final List<String> output = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        if (local != null && local.isAlive()) {
            local.destroyForcibly();
            local.waitFor(30, TimeUnit.SECONDS);
        }
        if (redis != null) redis.close();
    }

    @Test
    void aStopThatCannotTakeItsSavepointCancelsTheJobAfterTheTimeoutAndLeavesTheLastCheckpoint() throws Exception {
        startWithRedisGone(SHUTDOWN_TIMEOUT_SECONDS);

        long stopAt = System.nanoTime();
        signal("TERM"); // not Process.destroy(): that also closes the pipe the output is read from
        Duration bound = Duration.ofSeconds(SHUTDOWN_TIMEOUT_SECONDS).plus(STOP_MARGIN);
        boolean ended = local.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - stopAt);
        assertThat(ended).as("local mode ended within %s of SIGTERM; output:%n%s", bound, String.join("\n", output()))
                .isTrue();
        // The timeout was waited for: the savepoint really could not be taken.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(SHUTDOWN_TIMEOUT_SECONDS));
        awaitLine("stopped"::equals);
        assertThat(output()).anyMatch(l -> l.contains("no savepoint within SHUTDOWN_TIMEOUT_SECONDS ("
                + SHUTDOWN_TIMEOUT_SECONDS + " s)") && l.contains("cancelling the job")
                && l.contains("the next start resumes from the last completed checkpoint"));

        Optional<Path> resumeFrom = RestorePoint.newest(data.resolve("checkpoints"), data.resolve("savepoints"));
        assertThat(resumeFrom).as("a retained checkpoint for the next start")
                .hasValueSatisfying(p -> assertThat(p).startsWith(data.resolve("checkpoints")));
        assertThat(output()).anyMatch(l -> l.contains(resumeFrom.get().toString()));
    }

    @Test
    void aSecondSignalEndsAStopThatCannotFinishAtOnce() throws Exception {
        startWithRedisGone(3_600);

        signal("TERM"); // the stop begins and waits for the savepoint
        awaitLine(l -> l.startsWith("stopping"));
        assertThat(local.isAlive()).isTrue();
        long secondAt = System.nanoTime();
        // SIGTERM again, not SIGINT: a process started in the background by a non-interactive shell (CI)
        // inherits SIGINT ignored, and a signal ignored at start cannot be handled. Ctrl-C in a terminal is
        // handled the same way as this.
        signal("TERM");
        boolean ended = local.waitFor(HALT_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(ended).as("ended within %s of the second signal; output:%n%s", HALT_BOUND, String.join("\n", output()))
                .isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - secondAt)).isLessThan(HALT_BOUND);
        // 128 + SIGTERM; halted by the second signal (its line), not ended by the first stop finishing.
        assertThat(local.exitValue()).isEqualTo(143);
        awaitLine(l -> l.startsWith("second SIGTERM: exiting now"));
        assertThat(output()).doesNotContain("stopped");
    }

    /**
     * Starts local mode on a running redis-server, waits for its first completed checkpoint, stops
     * Redis and waits until the Redis sink has failed a write: from then on it holds records it
     * cannot write, which a savepoint waits for.
     */
    private void startWithRedisGone(long shutdownTimeoutSeconds) throws Exception {
        redis = RedisServer.launch();
        Map<String, String> env = new HashMap<>();
        env.put("DATA_DIR", data.toString());
        List<String> names = List.of("PORT", "OTLP_GRPC_PORT", "OTLP_HTTP_PORT", "FLINK_UI_PORT", "FLINK_METRICS_PORT",
                "KAFKA_PORT", "KAFKA_CONTROLLER_PORT");
        int[] ports = FreePorts.distinct(names.size());
        for (int i = 0; i < ports.length; i++) env.put(names.get(i), Integer.toString(ports[i]));
        env.put("REDIS_URL", redis.uri());
        env.put("CHECKPOINT_INTERVAL_MS", "1000");
        env.put("SHUTDOWN_TIMEOUT_SECONDS", Long.toString(shutdownTimeoutSeconds));
        env.put("CORRELATION_STATION_MAVEN_ARGS", "-o"); // only if the jars were not built yet
        Path root = repoRoot();
        ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("bin/correlation-station").toString(), "local",
                "--demo").directory(root.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        local = builder.start();
        Thread reader = new Thread(this::readOutput, "local-mode-output");
        reader.setDaemon(true);
        reader.start();

        awaitLine("ready"::equals, START_TIMEOUT);
        awaitCompletedCheckpoint();
        redis.stop();
        awaitLine(l -> l.contains("Redis write of") && l.contains("failed, retrying"));
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(local.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                System.out.println("[local] " + line);
                synchronized (output) {
                    output.add(line);
                    output.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    private void awaitLine(Predicate<String> wanted) throws InterruptedException {
        awaitLine(wanted, WAIT);
    }

    /** Waits for a line of the process's output, woken by each new line. */
    private void awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (output) {
            int seen = 0;
            while (true) {
                for (; seen < output.size(); seen++) {
                    if (wanted.test(output.get(seen))) return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no such line within " + timeout + "; output:\n" + String.join("\n", output));
                }
                output.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** A checkpoint's {@code _metadata} appears on disk; nothing announces it, so the directory is polled. */
    private void awaitCompletedCheckpoint() throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (RestorePoint.newest(data.resolve("checkpoints"), data.resolve("savepoints")).isEmpty()) {
            if (System.nanoTime() > deadline || !local.isAlive()) {
                throw new AssertionError("no completed checkpoint under " + data + " within " + WAIT + "; output:\n"
                        + String.join("\n", output()));
            }
            Thread.sleep(100); // a poll interval, not a synchronisation: the loop checks the condition
        }
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(local.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + name).isTrue();
    }

    /** The repository: the first directory, from the working directory up, with the launcher. */
    private static Path repoRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("bin/correlation-station"))) return d;
        }
        throw new IllegalStateException("bin/correlation-station not found above " + Path.of("").toAbsolutePath());
    }
}
