package org.correlationstation.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.correlationstation.http.HttpResponse;
import org.correlationstation.http.PostHandler;
import org.correlationstation.http.VertxHttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rough edges a new user met (issue 25): a wrong method is 405 with Allow on every route, the extra
 * POST routes included; a body shorter than its Content-Length is 408 after HTTP_BODY_READ_TIMEOUT_MS.
 */
class ApiEdgesTest {
    static final String INGEST = "/api/otlp/v1/traces";
    static final long BODY_TIMEOUT_MS = 300;

    static ApiTestSupport api;

    @BeforeAll
    static void start() {
        PostHandler accepted = r -> CompletableFuture.completedFuture(HttpResponse.json(200, HttpApi.toJson(
                Map.of("bytes", r.body().length))));
        api = ApiTestSupport.start(Map.of("HTTP_BODY_READ_TIMEOUT_MS", Long.toString(BODY_TIMEOUT_MS)),
                ApiTestSupport.memoryStore(), Map.of(INGEST, accepted), 4096);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void everyWrongMethodIs405WithAllowAndTheErrorBody() {
        for (String method : List.of("GET", "HEAD", "PUT", "DELETE", "PATCH")) {
            assertMethodNotAllowed(method, INGEST, "POST");
        }
        for (String path : List.of("/", "/health", "/health/live", "/health/ready", "/metrics", "/api/correlations",
                "/api/correlations/abc", "/api/graph")) {
            for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
                assertMethodNotAllowed(method, path, "GET, HEAD");
            }
        }
        // The route itself still answers its method.
        assertThat(api.send("POST", INGEST).statusCode()).isEqualTo(200);
    }

    private static void assertMethodNotAllowed(String method, String path, String allow) {
        java.net.http.HttpResponse<String> r = api.send(method, path);
        assertThat(r.statusCode()).as(method + " " + path).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).as(method + " " + path).hasValue(allow);
        if (!method.equals("HEAD")) {
            JsonNode error = ApiTestSupport.json(r).get("error");
            assertThat(error.get("code").asText()).isEqualTo("method_not_allowed");
            assertThat(error.get("message").asText()).isEqualTo("method " + method
                    + " is not allowed here; allowed: " + allow);
        }
    }

    @Test
    void aBodyShorterThanItsContentLengthIs408AfterTheBodyReadTimeout() {
        for (String path : List.of(INGEST, "/api/correlations")) {
            try (RawHttp c = new RawHttp(api.server.port())) {
                long start = System.nanoTime();
                RawHttp.Response r = c.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n0123456789").read();
                long waitedMs = (System.nanoTime() - start) / 1_000_000;
                assertThat(r.status()).as(path + ": " + r.text()).isEqualTo(408);
                assertThat(r.header("connection")).isEqualToIgnoringCase("close");
                assertThat(r.text()).contains("\"code\":\"request_timeout\"").contains("HTTP_BODY_READ_TIMEOUT_MS");
                // Not before the timeout, and well before the 30 s idle close it used to wait for.
                assertThat(waitedMs).isBetween(BODY_TIMEOUT_MS - 20, VertxHttpServer.IDLE_SECONDS * 1000L / 3);
                assertThat(c.closedByServer()).isTrue();
            }
        }
        // A complete body on the same route is answered as before (the timer does not fire late).
        try (RawHttp c = new RawHttp(api.server.port())) {
            RawHttp.Response ok = c.send("POST " + INGEST + " HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789")
                    .read();
            assertThat(ok.status()).isEqualTo(200);
            RawHttp.Response next = c.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(next.status()).isEqualTo(200);
        }
    }

    /**
     * A request in flight when the server closes is still answered (an ingestion request cut off would
     * be sent again by its exporter); only then do the connections close.
     */
    @Test
    void closingAnswersTheRequestsInFlight() throws Exception {
        CompletableFuture<Void> received = new CompletableFuture<>();
        CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
        PostHandler slow = r -> {
            received.complete(null);
            return answer;
        };
        ApiTestSupport own = ApiTestSupport.start(Map.of(), ApiTestSupport.memoryStore(), Map.of(INGEST, slow), 4096);
        try (RawHttp c = new RawHttp(own.server.port())) {
            c.send("POST " + INGEST + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok");
            received.get(10, java.util.concurrent.TimeUnit.SECONDS);
            CompletableFuture<Void> closed = CompletableFuture.runAsync(own::close);
            // The close waits for the answer: it has not finished while the request is unanswered.
            assertThat(closed).isNotDone();
            answer.complete(HttpResponse.json(200, "{\"accepted\":true}"));
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("{\"accepted\":true}");
            closed.get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
