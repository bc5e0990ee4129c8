package org.correlationstation.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.correlationstation.bench.load.OtlpBatch;
import org.correlationstation.bench.load.OtlpHttpTarget;
import org.correlationstation.bench.load.Signal;
import org.correlationstation.bench.load.TrafficGenerator;
import org.correlationstation.bench.load.TrafficProfile;
import org.correlationstation.connectors.loki.LokiEntry;
import org.correlationstation.connectors.loki.LokiPushEncoder;
import org.junit.jupiter.api.Test;

/** The bench's stand-in Loki and Tempo count exactly what real clients send them. */
class CountingReceiversTest {

    @Test
    void countsEverySpanTheOtlpHttpTargetSends() throws Exception {
        TrafficGenerator generator = new TrafficGenerator(TrafficProfile.defaults().withLongTail(0.01), 5);
        List<OtlpBatch> batches = new ArrayList<>();
        for (int i = 0; i < 300; i++) generator.nextTrace(1_790_000_000_000L + i, batches::add);
        generator.flush(batches::add);
        try (CountingReceivers receivers = new CountingReceivers();
                OtlpHttpTarget target = new OtlpHttpTarget(receivers.tempoHttpEndpoint().replace("/v1/traces", ""), 4)) {
            batches.stream().filter(b -> b.signal() == Signal.SPANS).forEach(target::send);
            target.flush();
            assertThat(target.errors()).isZero();
            assertThat(receivers.tempoSpans.get()).isEqualTo(generator.spans()).isPositive();
            assertThat(receivers.sampleMismatches.get()).isZero();
        }
    }

    @Test
    void countsEveryEntryOfALokiPush() throws Exception {
        List<LokiEntry> entries = new ArrayList<>();
        for (int i = 0; i < 777; i++) {
            entries.add(new LokiEntry("svc-" + (i % 7), "bench", i % 2 == 0 ? "info" : "error", 1_000L * i,
                    "line " + i, Map.of("trace_id", String.format("%032x", i / 10))));
        }
        byte[] body = LokiPushEncoder.encode(entries).body();
        try (CountingReceivers receivers = new CountingReceivers()) {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(receivers.lokiPushUrl()))
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/x-protobuf")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(response.statusCode()).isEqualTo(204);
            assertThat(receivers.lokiEntries.get()).isEqualTo(777);
            assertThat(receivers.events()).isEqualTo(777);
        }
    }
}
