package org.correlationstation.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.api.http.ApiTestSupport.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input never reaches the store and never produces a 500: every parameter with empty, overlong,
 * wrong-type, injection-like and out-of-range values gets a 400 JSON error naming the parameter.
 */
class ApiBadInputTest {
    static ApiTestSupport api;

    @BeforeAll
    static void start() {
        api = ApiTestSupport.start(Map.of(), ApiTestSupport.memoryStore());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** Values every parameter refuses. */
    static final List<String> HOSTILE = List.of("", "*", "a*", "\r\n", "x\r\nSet-Cookie: a=b", "{}", "{\"$gt\":\"\"}",
            "../", "../../etc/passwd", "%00", "' OR 1=1 --", "<script>", "\u0000", "é");

    static Stream<Arguments> badQueries() {
        List<Arguments> cases = new ArrayList<>();
        Map<String, List<String>> specific = Map.of(
                "trace_id", List.of("a".repeat(129), "0".repeat(32), "g".repeat(32) + "/",
                        "trace id"),
                "service", List.of("a".repeat(257), "svc name", "svc..x", "svc\tx", "ünïcode"),
                "since", List.of("yesterday", "-1", "1.5", "99999999999999999", "2026-13-01T00:00:00Z",
                        "2026-11-22T10:00:00", "2026-11-22", "x".repeat(300), "253402300800000"),
                "until", List.of("tomorrow", "-5", "2026-11-22T25:00:00Z"),
                "start_time", List.of("now", "-1", "2026-02-30T00:00:00Z"),
                "end_time", List.of("later", "1e3", "+2026-11-22T10:00:00Z"),
                "status", List.of("OPEN", "opened", "open,closed", "1", "x".repeat(300)),
                "has_error", List.of("yes", "1", "TRUE", "truee", "x".repeat(300)),
                "limit", List.of("0", "1001", "-1", "abc", "1.5", "99999999999", "1e2", " 5", "x".repeat(300)),
                "cursor", List.of("x".repeat(200), "!!!", Base64.getUrlEncoder().encodeToString("v1:abc:def".getBytes()),
                        Base64.getUrlEncoder().encodeToString("v2:1:3f2c1a9e-5b7d-5e21-9c44-0a1b2c3d4e5f".getBytes())));
        for (Map.Entry<String, List<String>> e : specific.entrySet()) {
            List<String> values = new ArrayList<>(HOSTILE);
            values.addAll(e.getValue());
            for (String v : values) {
                cases.add(Arguments.of(e.getKey(), "/api/correlations?" + e.getKey() + "=" + enc(v)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badQueries")
    void badQueryParameterIs400NamingIt(String parameter, String url) {
        assertInvalid(api.get(url), parameter);
    }

    static Stream<Arguments> badCorrelationIds() {
        List<String> values = new ArrayList<>(List.of("not-a-uuid", "3F2C1A9E-5B7D-5E21-9C44-0A1B2C3D4E5F",
                "3f2c1a9e5b7d5e219c440a1b2c3d4e5f", "3f2c1a9e-5b7d-5e21-9c44-0a1b2c3d4e5f0", "x".repeat(2000)));
        values.addAll(HOSTILE.subList(1, HOSTILE.size()));
        return values.stream().map(v -> Arguments.of("/api/correlations/" + encPath(v)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCorrelationIds")
    void badCorrelationIdIs400(String url) {
        HttpResponse<String> r = api.get(url);
        // An encoded '/' or '..' may be refused by the HTTP server before the route (still JSON, never 500).
        assertThat(r.statusCode()).as(r.body()).isIn(400, 404);
        JsonNode body = json(r);
        if (r.statusCode() == 400) {
            assertThat(body.at("/error/code").asText()).isEqualTo("invalid_argument");
        }
    }

    static Stream<Arguments> badCombinations() {
        return Stream.of(
                Arguments.of("trace_id", "/api/correlations?trace_id=0af7651916cd43dd8448eb211c80319c&service=a"),
                Arguments.of("trace_id", "/api/correlations?limit=5&trace_id=0af7651916cd43dd8448eb211c80319c"),
                Arguments.of("trace_id", "/api/correlations?trace_id=0af7651916cd43dd8448eb211c80319c&cursor=x"),
                Arguments.of("since", "/api/correlations?since=2000&until=1000"),
                Arguments.of("start_time", "/api/correlations?start_time=2026-11-22T10:00:01Z&end_time=2026-11-22T10:00:00Z"),
                Arguments.of("start_time", "/api/correlations?since=1&start_time=1"),
                Arguments.of("end_time", "/api/correlations?until=1&end_time=1"),
                Arguments.of("service", "/api/correlations?service=a&service=b"),
                Arguments.of("limit", "/api/correlations?limit=1&limit=1"),
                Arguments.of("frobnicate", "/api/correlations?frobnicate=1"),
                Arguments.of("Service", "/api/correlations?Service=a"),
                Arguments.of("verbose", "/health?verbose=1"),
                Arguments.of("x", "/api/correlations/3f2c1a9e-5b7d-5e21-9c44-0a1b2c3d4e5f?x=1"),
                Arguments.of("query parameter", "/api/correlations?" + "a=1&".repeat(40)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badCombinations")
    void badCombinationIs400(String named, String url) {
        assertInvalid(api.get(url), named);
    }

    @org.junit.jupiter.api.Test
    void malformedPercentEncodingIs400() {
        // java.net.URI refuses to send these, so the parser is exercised directly.
        for (String raw : List.of("trace_id=%zz", "trace_id=%", "trace_id=abc%e", "%zz=1")) {
            ApiError e = org.assertj.core.api.Assertions.catchThrowableOfType(ApiError.class,
                    () -> QueryParams.parse(raw, java.util.Set.of("trace_id")));
            assertThat(e).as(raw).isNotNull();
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).contains(raw.startsWith("%") ? "name" : "trace_id");
        }
    }

    static void assertInvalid(HttpResponse<String> r, String parameter) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = json(r);
        assertThat(body.at("/error/code").asText()).isEqualTo("invalid_argument");
        assertThat(body.at("/error/message").asText()).contains(parameter);
        assertThat(body.size()).isEqualTo(1);
    }

    static String enc(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8);
    }

    static String encPath(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
