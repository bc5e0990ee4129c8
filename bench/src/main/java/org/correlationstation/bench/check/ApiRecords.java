package org.correlationstation.bench.check;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Correlation records by trace id through the query API, as a user reads them: {@code GET
 * /api/correlations?trace_id=}, a few lookups in flight (the API's rate limit should be off, or high).
 */
public final class ApiRecords {
    private static final int IN_FLIGHT = 16;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ApiRecords() {}

    /** Each trace's record JSON in order, null where the API answers 404; any other answer fails. */
    public static List<String> fetch(String apiUrl, String token, List<String> traceIds) throws Exception {
        String base = apiUrl.replaceAll("/+$", "") + "/api/correlations?trace_id=";
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<String>> replies = new ArrayList<>(traceIds.size());
        for (String id : traceIds) {
            inFlight.acquire();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + id)).timeout(Duration.ofSeconds(30));
            if (token != null) request.header("Authorization", "Bearer " + token);
            replies.add(CLIENT.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> inFlight.release())
                    .thenApply(r -> switch (r.statusCode()) {
                        case 200 -> r.body();
                        case 404 -> null;
                        default -> throw new IllegalStateException("GET " + base + id + ": " + r.statusCode() + " " + r.body());
                    }));
        }
        List<String> out = new ArrayList<>(replies.size());
        for (CompletableFuture<String> r : replies) out.add(r.join());
        return out;
    }
}
