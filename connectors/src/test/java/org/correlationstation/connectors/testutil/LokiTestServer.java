package org.correlationstation.connectors.testutil;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.correlationstation.connectors.loki.proto.EntryAdapter;
import org.correlationstation.connectors.loki.proto.LabelPairAdapter;
import org.correlationstation.connectors.loki.proto.PushRequest;
import org.correlationstation.connectors.loki.proto.StreamAdapter;
import org.correlationstation.core.testing.FreePorts;
import org.xerial.snappy.Snappy;

/**
 * A stand-in for Loki's push endpoint ({@code POST /loki/api/v1/push}) on a free local port. It reads
 * the real wire format (snappy block-compressed protobuf {@code logproto.PushRequest}), decoding it
 * with the classes generated from Loki's push.proto, independently of the sink's encoder, and keeps what it received.
 * It can be told to fail: answer the next requests with a status (and Retry-After, and a body), delay
 * its answers, or stop listening altogether and start again on the same port (connection refused in
 * between). All accessors are thread-safe; waiting is by polling with a deadline.
 *
 * <pre>{@code
 * try (LokiTestServer loki = LokiTestServer.start()) {
 *     loki.failNext(2, 500);
 *     ... sink to loki.pushUrl() ...
 *     loki.awaitEntries(10, Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class LokiTestServer implements AutoCloseable {
    public static final String PATH = "/loki/api/v1/push";

    /** One decoded log entry with its stream's labels. */
    public record Entry(Map<String, String> labels, String labelString, long timestampNanos, String line,
            Map<String, String> metadata) {}

    /** One decoded stream, entries in the order received. */
    public record Stream(String labelString, Map<String, String> labels, List<Entry> entries) {}

    /**
     * One HTTP request as received, whatever was answered. {@code streams} is empty when the body did not
     * decode ({@code decodeError} says why).
     */
    public record Request(long receivedAtNanos, String method, String path, String tenant, String contentType,
            String contentEncoding, int status, List<Stream> streams, String decodeError,
            Map<String, List<String>> headers) {
        /** The first value of a request header, by case-insensitive name; null when absent. */
        public String header(String name) {
            for (Map.Entry<String, List<String>> h : headers.entrySet()) {
                if (h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
                    return h.getValue().get(0);
                }
            }
            return null;
        }

        public List<Entry> entries() {
            List<Entry> all = new ArrayList<>();
            streams.forEach(s -> all.addAll(s.entries()));
            return all;
        }
    }

    private record Failure(int status, String retryAfter, String body) {}

    private final int port;
    private final ServerSecurity security;
    private final Object lock = new Object();
    private final List<Request> requests = new ArrayList<>();
    private final List<Entry> accepted = new ArrayList<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    private volatile Duration delay = Duration.ZERO;
    private volatile CountDownLatch released = new CountDownLatch(0);
    private HttpServer server;
    private ExecutorService executor;

    private LokiTestServer(int port, ServerSecurity security) {
        this.port = port;
        this.security = security;
    }

    /** Starts on a free port. */
    public static LokiTestServer start() throws IOException {
        return start(ServerSecurity.none());
    }

    /**
     * Starts on a free port, requiring what {@code security} says (HTTPS, a client certificate, headers): a
     * push without the headers is answered 401 and recorded with that status; a TLS handshake that fails
     * never reaches the server's handler, so it is not recorded at all.
     */
    public static LokiTestServer start(ServerSecurity security) throws IOException {
        int port = FreePorts.one();
        LokiTestServer s = new LokiTestServer(port, security);
        s.listen();
        return s;
    }

    public int port() {
        return port;
    }

    public String pushUrl() {
        return security.scheme() + "://127.0.0.1:" + port + PATH;
    }

    // ---------------------------------------------------------------- controlling it

    /** The next {@code n} requests are answered {@code status} (with an empty body). */
    public void failNext(int n, int status) {
        failNext(n, status, null, "");
    }

    /**
     * The next {@code n} requests are answered {@code status}, with a {@code Retry-After} header when
     * {@code retryAfter} is not null, and {@code body} as the answer text. Their entries are recorded in
     * {@link #requests()} but not in {@link #entries()}.
     */
    public void failNext(int n, int status, String retryAfter, String body) {
        synchronized (lock) {
            for (int i = 0; i < n; i++) {
                failures.add(new Failure(status, retryAfter, body == null ? "" : body));
            }
        }
    }

    /** Drops the failures {@link #failNext} queued that were not answered yet: requests succeed again. */
    public void clearFailures() {
        synchronized (lock) {
            failures.clear();
        }
    }

    /** Answers every request only after {@code delay} (zero: at once). */
    public void setDelay(Duration delay) {
        this.delay = delay;
    }

    /**
     * Holds every answer until {@link #release()} (a request hangs: for timeout and flush-blocking
     * tests). Requests are recorded as they arrive.
     */
    public void hold() {
        released = new CountDownLatch(1);
    }

    public void release() {
        released.countDown();
    }

    /** Stops listening: connections are refused until {@link #resume()}. Requests being answered are cut. */
    public synchronized void stopListening() {
        if (server != null) {
            release();
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    /** Listens again on the same port. */
    public synchronized void resume() throws IOException {
        if (server == null) {
            listen();
        }
    }

    private synchronized void listen() throws IOException {
        IOException last = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) { // the port may linger briefly after a stop
            try {
                InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                HttpServer s;
                if (security.certificates() != null) {
                    HttpsServer https = HttpsServer.create(address, 64);
                    https.setHttpsConfigurator(security.httpsConfigurator());
                    s = https;
                } else {
                    s = HttpServer.create(address, 64);
                }
                executor = Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "loki-test-server-" + port);
                    t.setDaemon(true);
                    return t;
                });
                s.setExecutor(executor);
                s.createContext("/", this::handle);
                s.start();
                server = s;
                return;
            } catch (java.net.BindException e) {
                last = e;
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        throw last;
    }

    // ---------------------------------------------------------------- what it received

    /** Every request received, in arrival order. */
    public List<Request> requests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    /** Entries of requests answered 2xx, in arrival order. */
    public List<Entry> entries() {
        synchronized (lock) {
            return List.copyOf(accepted);
        }
    }

    public int requestCount() {
        synchronized (lock) {
            return requests.size();
        }
    }

    /** Waits until at least {@code n} entries were accepted; returns them. */
    public List<Entry> awaitEntries(int n, Duration timeout) {
        await(() -> entries().size() >= n, timeout, n + " entries (have " + entries().size() + ")");
        return entries();
    }

    /** Waits until at least {@code n} requests arrived; returns them. */
    public List<Request> awaitRequests(int n, Duration timeout) {
        await(() -> requestCount() >= n, timeout, n + " requests (have " + requestCount() + ")");
        return requests();
    }

    private static void await(java.util.function.BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Override
    public void close() {
        release();
        stopListening();
    }

    // ---------------------------------------------------------------- serving

    private void handle(HttpExchange exchange) throws IOException {
        long at = System.nanoTime();
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            List<Stream> streams = List.of();
            String error = null;
            try {
                streams = decode(Snappy.uncompress(body));
            } catch (IOException | RuntimeException e) {
                error = e.toString();
            }
            String refused = security.problem(exchange.getRequestHeaders()::getFirst);
            Failure failure;
            int status;
            synchronized (lock) {
                // as a gateway in front of Loki: no credentials, no push, and no queued failure used up
                failure = refused != null ? new Failure(401, null, refused) : failures.poll();
                status = failure != null ? failure.status() : error != null ? 400 : 204;
                requests.add(new Request(at, exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().getFirst("X-Scope-OrgID"),
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        exchange.getRequestHeaders().getFirst("Content-Encoding"), status, streams, error,
                        Map.copyOf(exchange.getRequestHeaders())));
            }
            waitBeforeAnswering();
            if (status / 100 == 2) {
                synchronized (lock) {
                    streams.forEach(s -> accepted.addAll(s.entries()));
                }
            }
            String text = failure != null ? failure.body() : error != null ? "cannot decode: " + error : "";
            if (failure != null && failure.retryAfter() != null) {
                exchange.getResponseHeaders().set("Retry-After", failure.retryAfter());
            }
            byte[] answer = text.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void waitBeforeAnswering() throws InterruptedException {
        released.await();
        Duration d = delay;
        if (!d.isZero()) {
            // a slow backend: the answer is late (not a synchronisation device)
            new CountDownLatch(1).await(d.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Decodes an uncompressed PushRequest with the classes protoc generates from Loki's push.proto, so
     * that the sink's hand encoder is checked against the schema rather than against itself.
     */
    public static List<Stream> decode(byte[] pushRequest) throws IOException {
        List<Stream> streams = new ArrayList<>();
        for (StreamAdapter stream : PushRequest.parseFrom(pushRequest).getStreamsList()) {
            Map<String, String> parsed = parseLabels(stream.getLabels());
            List<Entry> entries = new ArrayList<>(stream.getEntriesCount());
            for (EntryAdapter e : stream.getEntriesList()) {
                Map<String, String> meta = new LinkedHashMap<>();
                for (LabelPairAdapter pair : e.getStructuredMetadataList()) {
                    if (meta.put(pair.getName(), pair.getValue()) != null) {
                        throw new IOException("duplicate structured metadata name " + pair.getName());
                    }
                }
                if (!e.hasTimestamp()) {
                    throw new IOException("an entry without a timestamp (Loki's is non-nullable)");
                }
                long ts = e.getTimestamp().getSeconds() * 1_000_000_000L + e.getTimestamp().getNanos();
                entries.add(new Entry(parsed, stream.getLabels(), ts, e.getLine(), meta));
            }
            streams.add(new Stream(stream.getLabels(), parsed, entries));
        }
        return streams;
    }

    /** Parses Loki's {@code {name="value", …}} with Go string escapes. */
    public static Map<String, String> parseLabels(String s) {
        Map<String, String> labels = new LinkedHashMap<>();
        int i = 0;
        int n = s.length();
        if (n < 2 || s.charAt(0) != '{' || s.charAt(n - 1) != '}') {
            throw new IllegalArgumentException("not a label set: " + s);
        }
        i = 1;
        while (i < n - 1) {
            while (s.charAt(i) == ' ' || s.charAt(i) == ',') {
                i++;
            }
            int eq = s.indexOf('=', i);
            String name = s.substring(i, eq).trim();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("bad label name '" + name + "' in " + s);
            }
            i = eq + 1;
            if (s.charAt(i) != '"') {
                throw new IllegalArgumentException("unquoted value in " + s);
            }
            i++;
            StringBuilder v = new StringBuilder();
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case '\\' -> v.append('\\');
                        case '"' -> v.append('"');
                        case 'n' -> v.append('\n');
                        case 'r' -> v.append('\r');
                        case 't' -> v.append('\t');
                        case 'u' -> {
                            v.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> throw new IllegalArgumentException("bad escape \\" + e + " in " + s);
                    }
                } else if (c == '\n') {
                    throw new IllegalArgumentException("raw newline in " + s);
                } else {
                    v.append(c);
                }
            }
            i++;
            if (labels.put(name, v.toString()) != null) {
                throw new IllegalArgumentException("duplicate label " + name + " in " + s);
            }
        }
        return labels;
    }
}
