package org.correlationstation.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.api.http.ApiTestSupport.json;
import static org.correlationstation.api.http.ApiTestSupport.record;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.correlationstation.api.store.InMemoryCorrelationStore;
import org.correlationstation.core.otlp.Ids;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every route's happy path and its 404s, listing filters and paging, over real HTTP. */
class ApiRoutesTest {
    static final long T0 = 1_763_805_600_000L; // 2025-11-22T10:00:00Z
    static final String TRACE_A = "0af7651916cd43dd8448eb211c80319c";
    static final String LEGACY = "order-4711:retry.2";
    static ApiTestSupport api;
    static List<CorrelationRecord> seeded = new ArrayList<>();

    @BeforeAll
    static void start() {
        InMemoryCorrelationStore store = ApiTestSupport.memoryStore();
        seeded.add(record(TRACE_A, T0, "closed", true, "gateway", "checkout"));
        CorrelationRecord legacy = record(Ids.traceIdForLegacy(LEGACY), T0 + 1_000, "open", false, "legacy-app");
        legacy.legacyTraceId = LEGACY;
        seeded.add(legacy);
        // Five more for paging: gateway, alternating status and errors, one second apart.
        for (int i = 0; i < 5; i++) {
            String trace = String.format("%032x", 0x1000 + i);
            seeded.add(record(trace, T0 + 10_000 + i * 1_000L, i % 2 == 0 ? "open" : "closed", i % 2 == 1,
                    "gateway", "payments"));
        }
        seeded.forEach(store::put);
        api = ApiTestSupport.start(Map.of(), store);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void rootHealthAndLiveness() {
        JsonNode root = json(api.get("/"));
        assertThat(root.get("service").asText()).isEqualTo("correlation-station");
        assertThat(root.get("status").asText()).isEqualTo("running");
        assertThat(root.has("version")).isTrue();

        HttpResponse<String> health = api.get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health).get("status").asText()).isEqualTo("healthy");
        assertThat(json(health).at("/checks/store").asText()).isEqualTo("ok");

        assertThat(json(api.get("/health/live")).get("status").asText()).isEqualTo("alive");
        HttpResponse<String> ready = api.get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).get("status").asText()).isEqualTo("ready");
        assertThat(json(ready).at("/checks/store").asText()).isEqualTo("ok");
    }

    @Test
    void byTraceId() {
        HttpResponse<String> r = api.get("/api/correlations?trace_id=" + TRACE_A);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(json(r)).isEqualTo(parse(RecordCodec.toJson(seeded.get(0))));
        // Upper-case hex is the same trace.
        assertThat(api.get("/api/correlations?trace_id=" + TRACE_A.toUpperCase()).statusCode()).isEqualTo(200);
    }

    @Test
    void byLegacyTraceIdIsMappedLikeTheIngestion() {
        HttpResponse<String> r = api.get("/api/correlations?trace_id=" + LEGACY);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("legacy_trace_id").asText()).isEqualTo(LEGACY);
        assertThat(json(r).get("trace_id").asText()).isEqualTo(Ids.traceIdForLegacy(LEGACY));
    }

    @Test
    void unknownTraceIdIs404() {
        HttpResponse<String> r = api.get("/api/correlations?trace_id=" + "f".repeat(32));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).at("/error/code").asText()).isEqualTo("not_found");
        assertThat(api.get("/api/correlations?trace_id=never-seen-legacy").statusCode()).isEqualTo(404);
    }

    @Test
    void byCorrelationId() {
        String id = CorrelationIds.forTrace(TRACE_A);
        HttpResponse<String> r = api.get("/api/correlations/" + id);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("correlation_id").asText()).isEqualTo(id);
        assertThat(json(r).get("services")).hasSize(2);

        HttpResponse<String> missing = api.get("/api/correlations/" + CorrelationIds.forTrace("e".repeat(32)));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).at("/error/code").asText()).isEqualTo("not_found");
    }

    @Test
    void listingNewestFirstWithEveryRecordComplete() {
        HttpResponse<String> r = api.get("/api/correlations");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("items")).hasSize(seeded.size());
        assertThat(body.get("next_cursor").isNull()).isTrue();
        List<String> firstSeen = new ArrayList<>();
        body.get("items").forEach(i -> firstSeen.add(i.get("first_seen").asText()));
        assertThat(firstSeen).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        // Full records, every field present.
        assertThat(names(body.get("items").get(0))).containsExactlyElementsOf(names(parse(RecordCodec.toJson(seeded.get(0)))));
    }

    @Test
    void listingFilters() {
        assertThat(json(api.get("/api/correlations?service=checkout")).get("items")).hasSize(1);
        assertThat(json(api.get("/api/correlations?service=payments")).get("items")).hasSize(5);
        assertThat(json(api.get("/api/correlations?service=nobody")).get("items")).isEmpty();
        assertThat(json(api.get("/api/correlations?service=payments&status=open")).get("items")).hasSize(3);
        assertThat(json(api.get("/api/correlations?service=payments&has_error=true")).get("items")).hasSize(2);
        assertThat(json(api.get("/api/correlations?has_error=false&status=open")).get("items")).hasSize(4);
        // since inclusive, until exclusive; epoch ms and RFC 3339, and the aliases.
        assertThat(json(api.get("/api/correlations?since=" + T0 + "&until=" + (T0 + 1_000))).get("items")).hasSize(1);
        assertThat(json(api.get("/api/correlations?start_time=" + RecordCodec.formatTime(T0 + 10_000)
                + "&end_time=" + RecordCodec.formatTime(T0 + 12_000))).get("items")).hasSize(2);
        assertThat(json(api.get("/api/correlations?since=2025-11-22T11:00:10%2B01:00")).get("items")).hasSize(5);
        assertThat(json(api.get("/api/correlations?since=" + T0 + "&until=" + T0)).get("items")).isEmpty();
    }

    @Test
    void cursorRoundTripOverTwoPages() {
        JsonNode first = json(api.get("/api/correlations?service=gateway&limit=4"));
        assertThat(first.get("items")).hasSize(4);
        String cursor = first.get("next_cursor").asText();
        assertThat(cursor).isNotBlank();
        JsonNode second = json(api.get("/api/correlations?service=gateway&limit=4&cursor=" + cursor));
        assertThat(second.get("items")).hasSize(2);
        assertThat(second.get("next_cursor").isNull()).isTrue();
        List<String> ids = new ArrayList<>();
        first.get("items").forEach(i -> ids.add(i.get("correlation_id").asText()));
        second.get("items").forEach(i -> ids.add(i.get("correlation_id").asText()));
        assertThat(ids).doesNotHaveDuplicates().hasSize(6);
    }

    @Test
    void unknownRouteIs404AndWrongMethodIs405() {
        HttpResponse<String> nope = api.get("/api/nope");
        assertThat(nope.statusCode()).isEqualTo(404);
        assertThat(json(nope).at("/error/code").asText()).isEqualTo("not_found");
        assertThat(api.get("/health/").statusCode()).isEqualTo(404);
        assertThat(api.get("/api/correlations/").statusCode()).isEqualTo(404);

        HttpResponse<String> post = api.send("POST", "/api/correlations");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(json(post).at("/error/code").asText()).isEqualTo("method_not_allowed");
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
        assertThat(api.send("DELETE", "/api/correlations/" + CorrelationIds.forTrace(TRACE_A)).statusCode()).isEqualTo(405);
    }

    @Test
    void headIsAnsweredLikeGetWithoutBody() {
        HttpResponse<String> head = api.send("HEAD", "/health/live");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void overlongUrlIsRejectedWithJson() {
        HttpResponse<String> r = api.get("/api/correlations?service=" + "a".repeat(HttpApi.MAX_URL_BYTES));
        assertThat(r.statusCode()).isEqualTo(414);
        assertThat(json(r).at("/error/code").asText()).isEqualTo("uri_too_long");
        // Beyond the HTTP parser's own limit the answer is still JSON.
        HttpResponse<String> huge = api.get("/api/correlations?service=" + "a".repeat(40_000));
        assertThat(huge.statusCode()).isIn(414, 431);
        assertThat(json(huge).at("/error/code").asText()).isNotEmpty();
    }

    @Test
    void requestBodiesAreRefused() {
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + api.server.port() + "/api/correlations"))
                .method("GET", java.net.http.HttpRequest.BodyPublishers.ofString("x".repeat(HttpApi.MAX_BODY_BYTES + 1)))
                .build();
        try {
            HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(json(r).at("/error/code").asText()).isEqualTo("payload_too_large");
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static JsonNode parse(String s) {
        try {
            return ApiTestSupport.JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
