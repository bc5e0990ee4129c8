package org.correlationstation.local.kafka;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker and KRaft controller in this JVM: Kafka's own {@link KafkaRaftServer}
 * with its log dirs under {@code DATA_DIR/kafka}. The directory is formatted (cluster id, metadata
 * version) only the first time, so a restart finds its topics, data and committed offsets.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final int NODE_ID = 1;

    private final KafkaRaftServer server;
    private final int port;

    private EmbeddedBroker(KafkaRaftServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Formats {@code logDir} when it is new, then starts the broker on 127.0.0.1:{@code port} with
     * its controller on {@code controllerPort}; returns once the broker serves requests.
     */
    public static EmbeddedBroker start(Path logDir, int port, int controllerPort) throws Exception {
        Files.createDirectories(logDir);
        KafkaConfig config = KafkaConfig.fromProps(properties(logDir, port, controllerPort));
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            String clusterId = Uuid.randomUuid().toString();
            LOG.info("formatting the embedded Kafka broker's storage in {} (cluster id {})", logDir, clusterId);
            new Formatter()
                    .setClusterId(clusterId)
                    .setNodeId(NODE_ID)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setDirectories(List.of(logDir.toString()))
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .run();
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        Runnable loudAgain = RegistrationRaceFilter.install();
        try {
            server.startup();
        } catch (RuntimeException e) {
            // Release the ports and the log dir's lock, so that a second attempt can start.
            server.shutdown();
            throw e;
        } finally {
            loudAgain.run();
        }
        return new EmbeddedBroker(server, port);
    }

    private static Properties properties(Path logDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("log.dirs", logDir.toString());
        // One node: every internal topic has a single replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Topics are created explicitly with matching partition counts (see createTopics).
        p.put("auto.create.topics.enable", "false");
        // A restart after a crash (kill -9, power loss) finds the dead process's broker registration
        // in the metadata log, still unfenced: only a controlled shutdown fences it. The controller,
        // which restarts with the broker in this JVM, gives that registration a full broker session
        // from the moment it becomes active, and until then refuses the new broker's registration
        // (DUPLICATE_BROKER_REGISTRATION), which the broker retries every heartbeat interval: 9 s
        // (broker.session.timeout.ms) + up to 2 s (broker.heartbeat.interval.ms) with Kafka's
        // defaults, most of what a restart after kill -9 took longer than one after SIGTERM. The
        // session is how long the controller waits before fencing a broker that stopped
        // heartbeating; here the only broker is in the controller's own JVM and heartbeats over
        // loopback, and the controller counts a heartbeat when it arrives even if its event queue
        // is busy. 3 s still spans two missed heartbeats, and a broker fenced after a stall is
        // unfenced by its next heartbeat (clients retry in between). The interval is 1 s, not less:
        // the controller gives a heartbeat half of it in its event queue before logging it as an
        // ERROR ("controller event queue overloaded"), which 500 ms did on a loaded 2-core machine.
        // Kafka requires interval <= session / 2.
        p.put("broker.session.timeout.ms", "3000");
        p.put("broker.heartbeat.interval.ms", "1000");
        // The broker shares its JVM's heap with the job, the receiver and the store: requests it has read
        // but not handled yet take at most 64 MiB (KIP-72: past that it stops reading from its sockets,
        // which is backpressure to the producers), where the default bound is 500 requests of up to
        // 100 MiB each. One request is at most 16 MiB (the receiver's producers send at most 1 MiB;
        // Kafka requires the queue to hold at least one request of the largest size).
        p.put("socket.request.max.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("queued.max.request.bytes", String.valueOf(64 * 1024 * 1024));
        // A laptop does not need a week of telemetry.
        p.put("log.retention.hours", "24");
        p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        return p;
    }

    /** {@code localhost:port}, for clients in this JVM and on this machine. */
    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** Creates the topics that do not exist yet, each with {@code partitions} partitions. */
    public void createTopics(Set<String> topics, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : topics) {
                if (!existing.contains(topic)) missing.add(new NewTopic(topic, partitions, (short) 1));
            }
            if (missing.isEmpty()) return;
            try {
                admin.createTopics(missing).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    /**
     * Drops one ERROR that a start can log without anything being wrong. This node's controller
     * registers itself (KIP-919) as soon as its metadata loader has caught up; when that request
     * reaches the controller before the controller has replayed the metadata log and become active,
     * the controller answers NOT_CONTROLLER, and the registration manager retries with a backoff and
     * succeeds a moment later. {@code kafka.server.ControllerApis} logs that first answer all the
     * same, as "Unexpected error handling request ... CONTROLLER_REGISTRATION ..." with a
     * NotControllerException and its stack trace. Only that event is dropped, and only while the
     * server starts: the broker's own registration needs an active controller, so every such answer
     * comes before {@code startup()} returns. Any other error of that logger, and this one after the
     * start, still shows.
     */
    static final class RegistrationRaceFilter extends AbstractFilter {
        static final String LOGGER = "kafka.server.ControllerApis";
        private static final String API = "CONTROLLER_REGISTRATION";

        /**
         * Installs the filter on {@link #LOGGER}; returns what removes it. Does nothing when Log4j 2
         * is not the logging backend.
         */
        static Runnable install() {
            if (!(LogManager.getContext(false) instanceof LoggerContext context)) return () -> {};
            RegistrationRaceFilter filter = new RegistrationRaceFilter();
            Configuration config = context.getConfiguration();
            LoggerConfig existing = config.getLoggerConfig(LOGGER);
            boolean own = !existing.getName().equals(LOGGER);
            LoggerConfig target = existing;
            if (own) {
                // No level of its own: it keeps inheriting the one set for Kafka or the root.
                target = LoggerConfig.newBuilder().withConfig(config).withLoggerName(LOGGER)
                        .withAdditivity(true).build();
                config.addLogger(LOGGER, target);
            }
            target.addFilter(filter);
            context.updateLoggers();
            LoggerConfig installedOn = target;
            return () -> {
                installedOn.removeFilter(filter);
                if (own) config.removeLogger(LOGGER);
                context.updateLoggers();
            };
        }

        @Override
        public Result filter(LogEvent event) {
            return isRegistrationRace(event) ? Result.DENY : Result.NEUTRAL;
        }

        static boolean isRegistrationRace(LogEvent event) {
            if (!Level.ERROR.equals(event.getLevel()) || !LOGGER.equals(event.getLoggerName())) return false;
            String message = event.getMessage() == null ? "" : event.getMessage().getFormattedMessage();
            if (message == null || !message.contains(API)) return false;
            for (Throwable t = event.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof NotControllerException) return true;
            }
            return false;
        }
    }
}
