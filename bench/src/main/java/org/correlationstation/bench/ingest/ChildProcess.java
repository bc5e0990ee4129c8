package org.correlationstation.bench.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A process the bench starts (the ingest service, a broker, local mode) with its output copied to a log
 * file, and the lines it printed so far searchable, so a bench can wait for {@code ready}. Stopped
 * with SIGTERM, then SIGKILL after a grace period; a JVM shutdown hook stops what is left when the
 * bench itself is interrupted, so no run leaves processes behind.
 */
public final class ChildProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final StringBuilder output = new StringBuilder();
    private final Thread shutdownHook;

    private ChildProcess(String name, Process process, Path log) throws IOException {
        this.name = name;
        this.process = process;
        this.log = log;
        PrintWriter file = new PrintWriter(Files.newBufferedWriter(log), true);
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    file.println(line);
                    synchronized (output) {
                        output.append(line).append('\n');
                        output.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended
            } finally {
                file.close();
            }
        }, name + "-output");
        pump.setDaemon(true);
        pump.start();
        shutdownHook = new Thread(this::stopNow, "stop-" + name);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts {@code command} in {@code dir} with {@code env} added to this JVM's environment, stderr merged into stdout. */
    public static ChildProcess start(String name, List<String> command, Map<String, String> env, Path dir, Path log)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        return new ChildProcess(name, pb.start(), log);
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until a line of its output matches; fails when it exits first or after {@code timeout}. */
    public String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int scanned = 0;
        synchronized (output) {
            while (true) {
                int end;
                while ((end = output.indexOf("\n", scanned)) >= 0) {
                    String line = output.substring(scanned, end);
                    scanned = end + 1;
                    if (match.test(line)) return line;
                }
                long left = deadline - System.nanoTime();
                if (!process.isAlive()) throw new IllegalStateException(name + " exited (status " + process.exitValue() + "); see " + log);
                if (left <= 0) throw new TimeoutException(name + " did not print the expected line within " + timeout + "; see " + log);
                output.wait(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 500));
            }
        }
    }

    /** SIGTERM, then SIGKILL after {@code grace}; returns the exit status. */
    public int stop(Duration grace) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
        return process.exitValue();
    }

    private void stopNow() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) stop(Duration.ofSeconds(30));
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
