package org.correlationstation.connectors.kafka;

import java.util.Arrays;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.correlationstation.core.otlp.MalformedOtlpException;

/**
 * A message bound for the dead-letter topic, with the bytes exactly as they were read (SPEC §1) so that
 * it can be replayed once the cause is fixed. A Flink POJO: public fields, a no-arg constructor.
 */
public class DeadLetter {
    /** The original key, or null. */
    public byte[] key;
    /** The original value, unchanged; null for a tombstone. */
    public byte[] value;
    /** A short, stable code ({@link MalformedOtlpException#reason()}): a metric label. */
    public String reason;
    /** The full explanation, the {@code dlq.reason} header. */
    public String detail;
    /** Where the message was read; null for a sink rejection, which has no single source record. */
    public String sourceTopic;
    public int sourcePartition = -1;
    public long sourceOffset = -1L;
    /** The source record's timestamp (epoch ms), or -1 when it had none. */
    public long timestamp = -1L;
    /** The sink that rejected the batch (the {@code dlq.sink} header); null for a decode failure. */
    public String sink;

    public DeadLetter() {}

    /** A record the decoder could not read. */
    public static DeadLetter undecodable(ConsumerRecord<byte[], byte[]> record, String reason, String detail) {
        DeadLetter d = new DeadLetter();
        d.key = record.key();
        d.value = record.value();
        d.reason = reason;
        d.detail = detail;
        d.sourceTopic = record.topic();
        d.sourcePartition = record.partition();
        d.sourceOffset = record.offset();
        d.timestamp = record.timestamp();
        return d;
    }

    public static DeadLetter undecodable(ConsumerRecord<byte[], byte[]> record, MalformedOtlpException e) {
        return undecodable(record, e.reason(), e.describe());
    }

    /**
     * A batch a backend rejected as invalid (SPEC §7): {@code value} is the OTLP message of its records,
     * {@code detail} the backend's answer.
     */
    public static DeadLetter rejectedBySink(String sink, byte[] value, String reason, String detail) {
        DeadLetter d = new DeadLetter();
        d.value = value;
        d.reason = reason;
        d.detail = detail;
        d.sink = sink;
        return d;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof DeadLetter)) return false;
        DeadLetter d = (DeadLetter) o;
        return sourcePartition == d.sourcePartition && sourceOffset == d.sourceOffset && timestamp == d.timestamp
                && Arrays.equals(key, d.key) && Arrays.equals(value, d.value) && Objects.equals(reason, d.reason)
                && Objects.equals(detail, d.detail) && Objects.equals(sourceTopic, d.sourceTopic)
                && Objects.equals(sink, d.sink);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourceTopic, sourcePartition, sourceOffset, reason, sink) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        String from = sink != null ? "sink=" + sink : sourceTopic + "-" + sourcePartition + "@" + sourceOffset;
        return "DeadLetter{" + from + ", reason=" + reason + ", bytes=" + (value == null ? "null" : value.length) + "}";
    }
}
