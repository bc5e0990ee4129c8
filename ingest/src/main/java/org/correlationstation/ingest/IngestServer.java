package org.correlationstation.ingest;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.correlationstation.core.build.ProjectVersion;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.http.PostHandler;
import org.correlationstation.http.PostRoutes;
import org.correlationstation.http.VertxHttpServer;
import org.correlationstation.ingest.auth.BearerToken;
import org.correlationstation.ingest.export.OtlpIngestion;
import org.correlationstation.ingest.grpc.OtlpGrpcReceiver;
import org.correlationstation.ingest.http.IngestRoutes;
import org.correlationstation.ingest.kafka.TelemetryWriter;
import org.correlationstation.ingest.metrics.IngestMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OTLP ingest service (SPEC §1, §11): OTLP/gRPC on {@code OTLP_GRPC_PORT}; OTLP/HTTP, the legacy
 * routes, health and metrics on {@code OTLP_HTTP_PORT}; everything written to the Kafka topics the
 * job reads. {@link #main} is the {@code ingest} command; {@link #start(Settings)} serves local mode
 * and tests.
 *
 * <p>Both HTTP ports of the project, this one and the query API's, are the same server
 * ({@link VertxHttpServer}), so they answer the same edges alike. Local mode also serves
 * {@link #postHandlers()} on the query API's port; they write through this server's producer.
 */
public final class IngestServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestServer.class);

    /**
     * Ingestion requests in progress at most (decoding a body; the wait for Kafka's acknowledgement holds
     * no thread); beyond, 503 with Retry-After, which OTLP exporters retry. As many as Jetty's default
     * pool served before.
     */
    static final int MAX_POSTS_IN_PROGRESS = 200;

    private final VertxHttpServer http;
    private final OtlpGrpcReceiver grpc;
    private final IngestRoutes routes;
    private final TelemetryWriter writer;
    private final IngestMetrics metrics;

    private IngestServer(VertxHttpServer http, OtlpGrpcReceiver grpc, IngestRoutes routes, TelemetryWriter writer,
            IngestMetrics metrics) {
        this.http = http;
        this.grpc = grpc;
        this.routes = routes;
        this.writer = writer;
        this.metrics = metrics;
    }

    /**
     * Starts both receivers with a writer of its own (closed by {@link #close()}). Ports 0 pick free
     * ports ({@link #httpPort()}, {@link #grpcPort()}). Kafka need not be reachable yet: requests are
     * answered 503 and {@code /health/ready} is 503 until it is.
     */
    public static IngestServer start(Settings settings) throws IOException {
        TelemetryWriter writer = TelemetryWriter.create(settings);
        try {
            return start(settings, writer);
        } catch (IOException | RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    private static IngestServer start(Settings settings, TelemetryWriter writer) throws IOException {
        IngestMetrics metrics = new IngestMetrics();
        long maxBytes = settings.get(Options.OTLP_MAX_BODY_BYTES);
        OtlpIngestion ingestion = OtlpIngestion.create(settings, writer, metrics);
        IngestRoutes routes = new IngestRoutes(settings, ingestion, writer, metrics, version());
        OtlpGrpcReceiver grpc = OtlpGrpcReceiver.start(settings.get(Options.OTLP_GRPC_PORT), maxBytes,
                BearerToken.of(settings.find(Options.INGEST_TOKEN).orElse(null)), ingestion, metrics);
        VertxHttpServer http;
        try {
            http = VertxHttpServer.start(settings.get(Options.OTLP_HTTP_PORT), routes.service(),
                    new PostRoutes(routes.postHandlers(), maxBytes, MAX_POSTS_IN_PROGRESS, "ingest-post"), null);
        } catch (RuntimeException e) {
            grpc.close();
            throw e;
        }
        return new IngestServer(http, grpc, routes, writer, metrics);
    }

    /** The ingestion routes (exact path → POST handler) for another server's port, e.g. the query API's. */
    public Map<String, PostHandler> postHandlers() {
        return routes.postHandlers();
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    public int httpPort() {
        return http.port();
    }

    public int grpcPort() {
        return grpc.port();
    }

    /** Stops both receivers (answering the requests in flight), then the writer if it is this server's. */
    @Override
    public void close() {
        try {
            grpc.close();
        } finally {
            try {
                http.close();
            } finally {
                writer.close();
            }
        }
    }

    /** The project version, from the build; {@code unknown} when run from classes without resources. */
    public static String version() {
        return ProjectVersion.get();
    }

    // ---------------------------------------------------------------- the `ingest` command

    public static void main(String[] args) {
        Settings settings;
        try {
            settings = Settings.fromEnvironment(args);
        } catch (IllegalArgumentException e) {
            System.err.println("correlation-station ingest: " + e.getMessage());
            System.exit(2);
            return;
        }
        configureLogging(settings.get(Options.LOG_LEVEL));
        log.info("Correlation Station ingest service {}\n{}", version(), settings.describe());
        IngestServer server;
        try {
            server = start(settings);
        } catch (IOException | RuntimeException e) {
            log.error("could not start the ingest service (OTLP ports {} and {}): {}",
                    settings.get(Options.OTLP_GRPC_PORT), settings.get(Options.OTLP_HTTP_PORT), e.toString());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "ingest-shutdown"));
        log.info("ingest service listening: OTLP/gRPC on port {}, OTLP/HTTP on port {}; writing to {} and {} at {}",
                server.grpcPort(), server.httpPort(), settings.get(Options.KAFKA_SPANS_TOPIC),
                settings.get(Options.KAFKA_LOGS_TOPIC), settings.get(Options.KAFKA_BOOTSTRAP_SERVERS));
    }

    /** LOG_LEVEL applies to this project's loggers; everything else logs warnings and errors. */
    private static void configureLogging(String level) {
        Configurator.setRootLevel(Level.WARN);
        Configurator.setLevel("org.correlationstation", Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO));
    }
}
