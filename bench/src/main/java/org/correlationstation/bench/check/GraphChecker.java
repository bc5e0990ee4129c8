package org.correlationstation.bench.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.correlationstation.bench.load.SentTrace;

/**
 * Verifies the query API's service graph ({@code GET /api/graph}) against what the load generator sent:
 * over the run, every parent→child pair of services has the calls and errors the manifest's traces add
 * up to, and no other pair appears. As a user would check it: through the API, from outside.
 */
public final class GraphChecker {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param examples up to ten differences */
    public record Result(int pairs, int matched, List<String> examples) {
        public boolean allMatch() {
            return pairs > 0 && matched == pairs && examples.isEmpty();
        }

        @Override
        public String toString() {
            return String.format("graph: %,d parent→child pairs checked, %,d match%s", pairs, matched,
                    examples.isEmpty() ? "" : " (" + String.join("; ", examples) + ")");
        }
    }

    private GraphChecker() {}

    /**
     * @param apiUrl the query API's base URL
     * @param token its bearer token, or null
     * @param since the run's start (a bucket's granularity earlier is fine: no other traffic is assumed)
     */
    public static Result check(String apiUrl, String token, Instant since, List<SentTrace> sent) throws Exception {
        Map<String, long[]> expected = new TreeMap<>();
        for (SentTrace t : sent) {
            t.edgeCounts().forEach((pair, c) -> {
                long[] sum = expected.computeIfAbsent(pair, k -> new long[2]);
                sum[0] += c[0];
                sum[1] += c[1];
            });
        }
        Instant until = Instant.now().plus(Duration.ofHours(1));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiUrl.replaceAll("/+$", "")
                + "/api/graph?since=" + since.toEpochMilli() + "&until=" + until.toEpochMilli())).timeout(Duration.ofSeconds(30));
        if (token != null) request.header("Authorization", "Bearer " + token);
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) throw new IllegalStateException("GET /api/graph: " + response.statusCode() + " " + response.body());
        Map<String, long[]> actual = new TreeMap<>();
        for (JsonNode e : JSON.readTree(response.body()).path("edges")) {
            actual.put(e.path("parent").asText() + ">" + e.path("child").asText(),
                    new long[] {e.path("calls").asLong(), e.path("errors").asLong()});
        }
        List<String> examples = new ArrayList<>();
        int matched = 0;
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] a = actual.get(e.getKey());
            if (a != null && a[0] == e.getValue()[0] && a[1] == e.getValue()[1]) {
                matched++;
            } else if (examples.size() < 10) {
                examples.add(String.format("%s: sent %d calls %d errors, API %s", e.getKey(), e.getValue()[0], e.getValue()[1],
                        a == null ? "none" : a[0] + " calls " + a[1] + " errors"));
            }
        }
        for (String pair : actual.keySet()) {
            if (!expected.containsKey(pair) && examples.size() < 10) examples.add(pair + ": not sent, yet in the API's graph");
        }
        return new Result(expected.size(), matched, examples);
    }
}
