package org.correlationstation.ingest.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition of a trace, the same number in the spans and the logs topic: {@code murmur2(key) mod
 * n}, where the key is the hex trace id and {@code n} is the smaller of the two topics' partition
 * counts. With equal counts (the recommended set-up) this is exactly what Kafka's default partitioner
 * would choose for the key; with different counts the extra partitions of the larger topic stay
 * unused by keyed messages, rather than a trace's spans and logs landing on different numbers.
 */
public final class TracePartitioner {
    private TracePartitioner() {}

    public static int partition(String traceId, int spansPartitions, int logsPartitions) {
        int n = Math.min(spansPartitions, logsPartitions);
        if (n < 1) throw new IllegalArgumentException("a topic has no partitions");
        return Utils.toPositive(Utils.murmur2(traceId.getBytes(StandardCharsets.UTF_8))) % n;
    }
}
