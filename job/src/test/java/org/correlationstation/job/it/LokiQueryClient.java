package org.correlationstation.job.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.correlationstation.connectors.testutil.LokiTestServer;

/**
 * Reads entries back from a real Loki through {@code GET /loki/api/v1/query_range}, as
 * {@link LokiTestServer.Entry} so the same assertions apply as to the test server.
 *
 * <p>The request carries {@code X-Loki-Response-Encoding-Flags: categorize-labels}: Loki then answers
 * with the stream's own labels under {@code stream} and each entry as {@code [ts, line, {"structuredMetadata":
 * {...}, "parsed": {...}}]}; without it, structured metadata would be folded into the stream labels.
 */
final class LokiQueryClient {
    /** Loki's default {@code max_entries_limit_per_query}. */
    private static final int PAGE = 5000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String tenant;

    /** {@code baseUrl} like {@code http://host:3100}; {@code tenant} goes out as {@code X-Scope-OrgID}. */
    LokiQueryClient(String baseUrl, String tenant) {
        this.baseUrl = baseUrl;
        this.tenant = tenant;
    }

    /**
     * Every entry {@code logql} selects in {@code [startNanos, endNanos)}, oldest first, read page by page
     * (each page starts at the last time of the one before; entries seen twice are kept once).
     */
    List<LokiTestServer.Entry> queryRange(String logql, long startNanos, long endNanos) throws IOException, InterruptedException {
        Set<LokiTestServer.Entry> all = new LinkedHashSet<>();
        long from = startNanos;
        while (true) {
            List<LokiTestServer.Entry> page = page(logql, from, endNanos);
            all.addAll(page);
            if (page.size() < PAGE) return new ArrayList<>(all);
            long last = page.stream().mapToLong(LokiTestServer.Entry::timestampNanos).max().orElseThrow();
            if (last == from) throw new IllegalStateException("more than " + PAGE + " Loki entries at " + last + " ns");
            from = last;
        }
    }

    private List<LokiTestServer.Entry> page(String logql, long startNanos, long endNanos) throws IOException, InterruptedException {
        String query = "query=" + URLEncoder.encode(logql, StandardCharsets.UTF_8) + "&start=" + startNanos + "&end=" + endNanos
                + "&limit=" + PAGE + "&direction=forward";
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/loki/api/v1/query_range?" + query))
                .header("X-Scope-OrgID", tenant)
                .header("X-Loki-Response-Encoding-Flags", "categorize-labels")
                .timeout(Duration.ofSeconds(30))
                .GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("Loki query_range answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode data = JSON.readTree(response.body()).path("data");
        if (!"streams".equals(data.path("resultType").asText())) {
            throw new IOException("Loki query_range answered no streams: " + response.body());
        }
        List<LokiTestServer.Entry> entries = new ArrayList<>();
        for (JsonNode stream : data.path("result")) {
            Map<String, String> labels = strings(stream.path("stream"));
            String labelString = labels.entrySet().stream().map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
                    .collect(Collectors.joining(", ", "{", "}"));
            for (JsonNode value : stream.path("values")) {
                // A third element only when the entry has structured metadata or parsed labels.
                Map<String, String> metadata = value.size() > 2 ? strings(value.get(2).path("structuredMetadata")) : Map.of();
                entries.add(new LokiTestServer.Entry(labels, labelString, Long.parseLong(value.get(0).asText()),
                        value.get(1).asText(), metadata));
            }
        }
        return entries;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : object.properties()) out.put(field.getKey(), field.getValue().asText());
        return out;
    }
}
