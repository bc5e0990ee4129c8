package org.correlationstation.api;

import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.correlationstation.api.http.ApiMetrics;
import org.correlationstation.api.http.HttpApi;
import org.correlationstation.api.http.JsonErrorHandler;
import org.correlationstation.api.http.Route;
import org.correlationstation.api.store.CorrelationStore;
import org.correlationstation.api.store.CorrelationStores;
import org.correlationstation.core.build.ProjectVersion;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API server (SPEC §6): {@link #main} for the {@code api} command, {@link #start} for local
 * mode and tests. The server does not own the store: {@link #close()} stops HTTP only.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    /** Jetty's limit on the request line and headers; the API answers 414 JSON above {@link HttpApi#MAX_URL_BYTES}. */
    private static final int JETTY_HEADER_BYTES = 16 * 1024;
    private static final List<HandlerType> METHODS = List.of(HandlerType.GET, HandlerType.HEAD, HandlerType.POST,
            HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE, HandlerType.OPTIONS);

    private final Javalin app;
    private final HttpApi api;

    private ApiServer(Javalin app, HttpApi api) {
        this.app = app;
        this.api = api;
    }

    /**
     * Starts the API on {@code PORT} (0: a free port, see {@link #port()}), on every interface.
     *
     * @param settings API_TOKEN, API_RATE_LIMIT_RPS, API_QUERY_TIMEOUT_MS, LOG_LEVEL (debug: access log), PORT
     * @param store where records are read; not closed by {@link #close()}
     */
    public static ApiServer start(Settings settings, CorrelationStore store) {
        return start(settings, store, Map.of());
    }

    /**
     * As {@link #start(Settings, CorrelationStore)}, also serving {@code extraPostRoutes} (exact path →
     * handler for POST): local mode serves the legacy ingestion routes on the API's port (SPEC §6) this
     * way, without the API depending on the ingest module.
     */
    public static ApiServer start(Settings settings, CorrelationStore store, Map<String, Handler> extraPostRoutes) {
        HttpApi api = new HttpApi(settings, store, version());
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.router.ignoreTrailingSlashes = false;
            config.jetty.modifyHttpConfiguration(http -> {
                http.setRequestHeaderSize(JETTY_HEADER_BYTES);
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
            });
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JsonErrorHandler()));
        });
        // Javalin serves the first matching handler in the order added: exact extra routes before the API's catch-all.
        extraPostRoutes.forEach((path, handler) -> app.addHttpHandler(HandlerType.POST, path, handler));
        for (HandlerType method : METHODS) {
            app.addHttpHandler(method, "/", api::handle);
            app.addHttpHandler(method, "/<path>", api::handle);
        }
        app.exception(Exception.class, (e, ctx) -> {
            log.error("unhandled error", e);
            ctx.status(500).contentType("application/json")
                    .result("{\"error\":{\"code\":\"internal\",\"message\":\"internal error; see the API's log\"}}");
        });
        app.start(settings.get(Options.PORT));
        return new ApiServer(app, api);
    }

    /** The port the server listens on (the actual one when started with PORT=0). */
    public int port() {
        return app.port();
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
        app.stop();
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
