package org.correlationstation.core.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} process on a free local port, for tests. It can be stopped and started
 * again on the same port (outage tests); persistence is off, so a restart starts empty.
 *
 * <p>When the binary is missing the test is skipped with a visible reason, except under {@code CI=true},
 * where it fails: CI must not pass by skipping (SPEC §10).
 */
public final class RedisServer implements AutoCloseable {
    public static final String MISSING = "redis-server not installed: run ./bin/correlation-station test";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(10);
    private static final String HOST = "127.0.0.1";

    private final Path binary;
    private final Path dir;
    private final int port;
    private final Thread shutdownHook;
    private Process process;

    private RedisServer(Path binary, int port) throws IOException {
        this.binary = binary;
        this.port = port;
        this.dir = Files.createTempDirectory("redis-test-");
        this.shutdownHook = new Thread(this::stop, "redis-server-" + port + "-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a server on a free port (skips or fails the test when the binary is missing). */
    public static RedisServer launch() {
        Path binary = requireBinary();
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) { // the free port may be taken meanwhile
            RedisServer server = null;
            try {
                server = new RedisServer(binary, freePort());
                server.startProcess();
                return server;
            } catch (IOException e) {
                last = e;
                if (server != null) {
                    server.close();
                }
            }
        }
        throw new UncheckedIOException("could not start redis-server", last);
    }

    /** The redis-server binary: {@code $REDIS_SERVER_BIN} when set, else on the PATH (or /usr/bin, /usr/local/bin). */
    public static Path requireBinary() {
        Optional<Path> binary = findBinary();
        if (binary.isEmpty()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(MISSING);
            }
            Assumptions.abort(MISSING);
        }
        return binary.get();
    }

    static Optional<Path> findBinary() {
        List<Path> candidates = new ArrayList<>();
        String explicit = System.getenv("REDIS_SERVER_BIN");
        if (explicit != null && !explicit.isBlank()) {
            // Set means "this one": a wrong path is reported as missing rather than silently replaced.
            Path path = Path.of(explicit);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String entry : path.split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) {
                candidates.add(Path.of(entry, "redis-server"));
            }
        }
        candidates.add(Path.of("/usr/bin/redis-server"));
        candidates.add(Path.of("/usr/local/bin/redis-server"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** Starts the server again on the same port after {@link #stop()}; no-op when running. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        try {
            startProcess();
        } catch (IOException e) {
            throw new UncheckedIOException("could not restart redis-server on port " + port, e);
        }
    }

    private synchronized void startProcess() throws IOException {
        Path log = dir.resolve("redis.log");
        process = new ProcessBuilder(binary.toString(),
                "--port", Integer.toString(port),
                "--bind", HOST,
                "--save", "",
                "--appendonly", "no",
                "--dir", dir.toString(),
                "--daemonize", "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (!answersPing()) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + " on port " + port
                        + ":\n" + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IOException("redis-server did not answer PING within " + STARTUP_TIMEOUT + ":\n"
                        + Files.readString(log));
            }
            LockSupport.parkNanos(POLL_INTERVAL.toNanos());
        }
    }

    /** CPU time the running {@code redis-server} has used so far (user + system), if the OS reports it. */
    public synchronized Optional<Duration> cpuTime() {
        return process == null ? Optional.empty() : process.toHandle().info().totalCpuDuration();
    }

    /** Stops the server (an outage); {@link #start()} brings it back on the same port. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://" + HOST + ":" + port;
    }

    /** Empties every database, so that tests sharing a server start clean. */
    public void flushAll() {
        String answer = command("FLUSHALL");
        if (!"+OK".equals(answer)) {
            throw new IllegalStateException("FLUSHALL answered " + answer);
        }
    }

    private boolean answersPing() {
        try {
            return "+PONG".equals(command("PING"));
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** One inline command, its first reply line (enough for PING and FLUSHALL; no client needed). */
    private String command(String inline) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        return FreePorts.one();
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: nothing left to do
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
