package org.correlationstation.job.it;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Reads traces back from a real Tempo through {@code GET /api/traces/{traceId}}. Asked for
 * {@code application/protobuf}, Tempo answers a {@code tempopb.Trace}, whose only field is
 * {@code repeated ResourceSpans resourceSpans = 1}: the same wire format as OTLP's {@link TracesData}.
 */
final class TempoQueryClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    /** {@code baseUrl} like {@code http://host:3200}. */
    TempoQueryClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** The trace's spans as Tempo has them now; empty while Tempo does not know the trace (404). */
    List<ResourceSpans> trace(String traceIdHex) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/traces/" + traceIdHex))
                .header("Accept", "application/protobuf")
                .timeout(Duration.ofSeconds(30))
                .GET().build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 404) return List.of();
        if (response.statusCode() != 200) {
            throw new IOException("Tempo answered " + response.statusCode() + " for trace " + traceIdHex + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        return TracesData.parseFrom(response.body()).getResourceSpansList();
    }
}
