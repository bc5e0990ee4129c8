package org.correlationstation.bench.ingest;

import java.util.Map;
import org.correlationstation.bench.load.CommandLine;
import org.correlationstation.core.testing.EmbeddedKafka;

/**
 * A Kafka broker in a JVM of its own for the ingest bench: Kafka's KRaft test kit (broker and controller
 * in one node, {@link EmbeddedKafka}, as the e2e bench and the tests use) with the two topics created.
 * A process of its own so that the ingest JVM's CPU, read from /proc, is the ingest's alone, and the
 * broker's can be reported beside it. Prints {@code bootstrap=<host:port>} when ready; stops when its
 * stdin closes or on SIGTERM.
 *
 * <pre>java -cp … BenchBroker --partitions 2 --spans-topic otlp_spans --logs-topic otlp_logs</pre>
 */
public final class BenchBroker {
    private BenchBroker() {}

    public static void main(String[] argv) throws Exception {
        CommandLine args = new CommandLine(argv);
        int partitions = args.getInt("partitions", 2);
        String spans = args.get("spans-topic", "otlp_spans");
        String logs = args.get("logs-topic", "otlp_logs");
        args.rejectUnknown();
        EmbeddedKafka kafka = EmbeddedKafka.start(Map.of(
                // as local mode's broker: one request at most 16 MiB, at most 64 MiB of requests queued
                "socket.request.max.bytes", String.valueOf(16 << 20),
                "queued.max.request.bytes", String.valueOf(64 << 20)));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                kafka.close();
            } catch (Exception e) {
                // exiting anyway
            }
        }, "broker-stop"));
        kafka.createTopic(spans, partitions);
        kafka.createTopic(logs, partitions);
        System.out.println("bootstrap=" + kafka.bootstrapServers());
        System.out.flush();
        while (System.in.read() >= 0) {
            // runs until the bench closes our stdin (or kills us)
        }
        System.exit(0);
    }
}
