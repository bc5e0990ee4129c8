package org.correlationstation.connectors.kafka;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.otlp.MalformedOtlpException;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;

/**
 * Records of the logs topic: each value one OTLP {@code LogsData}. A log with neither time nor observed
 * time takes the record's timestamp (SPEC §2).
 */
public class OtlpLogsDeserializationSchema extends OtlpDeserializationSchema {
    private static final long serialVersionUID = 1L;

    public OtlpLogsDeserializationSchema(OtlpDecoder decoder, OtlpEncoding encoding) {
        super(decoder, encoding);
    }

    @Override
    protected List<TelemetryEnvelope> decode(ConsumerRecord<byte[], byte[]> record) throws MalformedOtlpException {
        List<LogEvent> logs = decoder.decodeLogs(record.value(), encoding, transportTime(record));
        return TelemetryEnvelope.logsByTrace(logs);
    }

    /**
     * The record timestamp; a record without one (possible only from very old producers) is given the
     * time it was read, the nearest thing to when it was produced.
     */
    static long transportTime(ConsumerRecord<byte[], byte[]> record) {
        return record.timestamp() >= 0 ? record.timestamp() : System.currentTimeMillis();
    }
}
