package org.correlationstation.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.correlationstation.bench.api.ConstantRateClient;
import org.correlationstation.bench.ingest.IngestReport.KafkaCheck;
import org.correlationstation.bench.ingest.IngestReport.Phase;
import org.correlationstation.bench.ingest.IngestReport.Protocol;
import org.junit.jupiter.api.Test;

class IngestReportTest {
    @Test
    void summaryNamesTheSaturatedRateOfEachProtocolInOrder() {
        IngestReport report = new IngestReport();
        report.add(phase(Protocol.HTTP_JSON, 0, 500_000, 10));
        report.add(phase(Protocol.HTTP_PROTOBUF, 0, 1_234_567, 10));
        report.add(phase(Protocol.HTTP_PROTOBUF, 60_000, 600_000, 10)); // constant rate: not in the summary
        assertThat(report.summary())
                .isEqualTo("ingest: 123457 events/s OTLP/HTTP protobuf, - events/s OTLP/gRPC, 50000 events/s OTLP/HTTP JSON");
    }

    @Test
    void cpuPerEventIsOverTheEventsAcknowledged() {
        Phase p = phase(Protocol.GRPC, 0, 2_000_000, 20);
        assertThat(p.micros(10_000_000_000L)).isEqualTo(5.0);
        assertThat(p.eventsPerSecond()).isEqualTo(100_000.0);
        assertThat(new KafkaCheck(5, 5, 2).matches()).isTrue();
        assertThat(new KafkaCheck(5, 6, 2).toString()).endsWith("MISMATCH");
    }

    private static Phase phase(Protocol protocol, double offered, long events, long seconds) {
        ConstantRateClient.Result r = new ConstantRateClient.Result(100, 100, 0, new TreeMap<>(), new Histogram(3), events,
                seconds * 1_000_000_000L);
        return new Phase(protocol, offered, r, 0, 0, 0, 0, "0 0 0", new KafkaCheck(events, events, 1));
    }
}
