package org.correlationstation.local.cluster;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.local.LocalMode;
import org.correlationstation.local.kafka.EmbeddedBroker;

/**
 * Cluster mode's Kafka: local mode's embedded KRaft broker in a process of its own, with the job's
 * topics created. Prints {@code ready} once they exist; stops on SIGTERM.
 */
public final class BrokerMain {
    private BrokerMain() {}

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromEnvironment(args);
        Path dir = Path.of(settings.get(Options.DATA_DIR)).toAbsolutePath().resolve("kafka");
        EmbeddedBroker broker = EmbeddedBroker.start(dir, settings.get(Options.KAFKA_PORT),
                settings.get(Options.KAFKA_CONTROLLER_PORT));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "broker-shutdown"));
        broker.createTopics(LocalMode.topics(settings), LocalMode.PARTITIONS);
        System.out.println("ready");
        stopped.await();
    }
}
