package org.correlationstation.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.correlationstation.core.otlp.MalformedOtlpException;
import org.junit.jupiter.api.Test;

class DeadLetterSerializationSchemaTest {
    private final DeadLetterSerializationSchema schema = new DeadLetterSerializationSchema("otlp_dlq");

    @Test
    void aDecodeFailureKeepsKeyAndValueAndSaysWhyAndWhere() {
        byte[] key = "4bf92f3577b34da6a3ce929d0e0e4736".getBytes(StandardCharsets.UTF_8);
        byte[] value = {(byte) 0xff, 0x00, 0x13};
        ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>("otlp_logs", 2, 77L, 1_795_000_000_000L,
                TimestampType.CREATE_TIME, key.length, value.length, key, value, new RecordHeaders(), Optional.empty());
        MalformedOtlpException cause = new MalformedOtlpException(MalformedOtlpException.INVALID_TRACE_ID,
                "trace id has 8 bytes, expected 16 or 0");

        ProducerRecord<byte[], byte[]> record = schema.serialize(DeadLetter.undecodable(source, cause), null, 5L);

        assertThat(record.topic()).isEqualTo("otlp_dlq");
        assertThat(record.key()).isEqualTo(key);
        assertThat(record.value()).isEqualTo(value);
        assertThat(record.partition()).isNull();
        assertThat(record.timestamp()).isNull();
        assertThat(header(record, "dlq.reason")).isEqualTo("invalid_trace_id: trace id has 8 bytes, expected 16 or 0");
        assertThat(header(record, "dlq.source.topic")).isEqualTo("otlp_logs");
        assertThat(header(record, "dlq.source.partition")).isEqualTo("2");
        assertThat(header(record, "dlq.source.offset")).isEqualTo("77");
        assertThat(header(record, "dlq.source.timestamp")).isEqualTo("1795000000000");
        assertThat(record.headers().lastHeader("dlq.sink")).isNull();
    }

    @Test
    void aSinkRejectionNamesTheSinkAndHasNoSource() {
        byte[] value = {1, 2, 3};
        DeadLetter letter = DeadLetter.rejectedBySink("loki", value, "rejected", "400 Bad Request: entry too far behind");

        ProducerRecord<byte[], byte[]> record = schema.serialize(letter, null, null);

        assertThat(record.key()).isNull();
        assertThat(record.value()).isEqualTo(value);
        assertThat(header(record, "dlq.sink")).isEqualTo("loki");
        assertThat(header(record, "dlq.reason")).isEqualTo("400 Bad Request: entry too far behind");
        assertThat(record.headers().lastHeader("dlq.source.topic")).isNull();
        assertThat(record.headers().lastHeader("dlq.source.offset")).isNull();
    }

    @Test
    void withoutDetailTheReasonCodeIsTheHeader() {
        DeadLetter letter = new DeadLetter();
        letter.reason = "malformed_proto";
        assertThat(header(schema.serialize(letter, null, null), "dlq.reason")).isEqualTo("malformed_proto");
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        Header[] all = record.headers().toArray();
        assertThat(all).filteredOn(h -> h.key().equals(name)).hasSize(1);
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
