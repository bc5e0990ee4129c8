package org.correlationstation.api;

import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.correlationstation.api.http.ApiMetrics;
import org.correlationstation.api.http.HttpApi;
import org.correlationstation.api.http.Route;
import org.correlationstation.api.store.CorrelationStore;
import org.correlationstation.api.store.CorrelationStores;
import org.correlationstation.api.store.RedisCorrelationStore;
import org.correlationstation.core.build.ProjectVersion;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.http.PostHandler;
import org.correlationstation.http.PostRoutes;
import org.correlationstation.http.VertxHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API server (SPEC §6): {@link #main} for the {@code api} command, {@link #start} for local
 * mode and tests. The server does not own the store: {@link #close()} stops HTTP only.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    /** Extra POST requests in progress at most (local mode's ingestion on the API port needs few); then 503. */
    static final int MAX_POSTS_IN_PROGRESS = 16;

    private final VertxHttpServer http;
    private final HttpApi api;
    private final Runnable releaseLoops;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ApiServer(VertxHttpServer http, HttpApi api, Runnable releaseLoops) {
        this.http = http;
        this.api = api;
        this.releaseLoops = releaseLoops;
    }

    /**
     * Starts the API on {@code PORT} (0: a free port, see {@link #port()}), on every interface.
     *
     * @param settings API_TOKEN, API_RATE_LIMIT_RPS, API_QUERY_TIMEOUT_MS, LOG_LEVEL (debug: access log), PORT
     * @param store where records are read; not closed by {@link #close()}
     */
    public static ApiServer start(Settings settings, CorrelationStore store) {
        return start(settings, store, Map.of(), 0);
    }

    /**
     * As {@link #start(Settings, CorrelationStore)}, also serving {@code extraPostRoutes} (exact path →
     * handler for POST, before the API's own routes): local mode serves the ingest service's routes on
     * the API's port (SPEC §6) this way, without the API depending on the ingest module.
     *
     * @param maxPostBodyBytes bodies of the extra routes are read up to this plus one byte (the
     *     handler answers a larger one); the API's own routes take no body
     */
    public static ApiServer start(Settings settings, CorrelationStore store, Map<String, PostHandler> extraPostRoutes,
            long maxPostBodyBytes) {
        HttpApi api = new HttpApi(settings, store, version());
        RedisCorrelationStore redis = store instanceof RedisCorrelationStore r ? r : null;
        EventLoopGroup shared = redis == null ? null : redis.eventLoops();
        try {
            PostRoutes post = new PostRoutes(extraPostRoutes, maxPostBodyBytes, MAX_POSTS_IN_PROGRESS, "api-post");
            return new ApiServer(VertxHttpServer.start(settings.get(Options.PORT), api, post, shared), api,
                    shared == null ? () -> {} : () -> redis.releaseEventLoops(shared));
        } catch (RuntimeException e) {
            api.close();
            if (shared != null) redis.releaseEventLoops(shared);
            throw e;
        }
    }

    /** The port the server listens on (the actual one when started with PORT=0). */
    public int port() {
        return http.port();
    }

    /** The route table the server serves (what docs/openapi.yaml documents). */
    public List<Route> routes() {
        return api.router().routes();
    }

    public ApiMetrics metrics() {
        return api.metrics();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return; // the shared loops are released once
        http.close();
        releaseLoops.run();
        api.close();
    }

    /** The project version, from the build; {@code unknown} when run from classes without resources. */
    public static String version() {
        return ProjectVersion.get();
    }

    // ---------------------------------------------------------------- the `api` command

    public static void main(String[] args) {
        Settings settings;
        try {
            settings = Settings.fromEnvironment(args);
        } catch (IllegalArgumentException e) {
            System.err.println("correlation-station api: " + e.getMessage());
            System.exit(2);
            return;
        }
        configureLogging(settings.get(Options.LOG_LEVEL));
        log.info("Correlation Station query API {}\n{}", version(), settings.describe());
        CorrelationStore store = createStore(settings);
        ApiServer server;
        try {
            server = start(settings, store);
        } catch (RuntimeException e) {
            log.error("could not start the query API on port {}: {}", settings.get(Options.PORT), e.toString());
            store.close();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            store.close();
        }, "api-shutdown"));
        log.info("query API listening on port {} (store: {})", server.port(),
                store.kind().name().toLowerCase(Locale.ROOT));
        // The event loops may be daemon threads (lettuce's, when shared): main keeps the JVM up.
        server.http.awaitClose();
    }

    /** The store of the {@code api} command: Redis when {@code REDIS_URL} is set, else memory. */
    static CorrelationStore createStore(Settings settings) {
        return CorrelationStores.create(settings);
    }

    /** LOG_LEVEL applies to this project's loggers; everything else logs warnings and errors. */
    private static void configureLogging(String level) {
        Configurator.setRootLevel(Level.WARN);
        Configurator.setLevel("org.correlationstation", Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO));
    }
}
