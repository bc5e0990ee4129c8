package org.correlationstation.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.correlationstation.ingest.IngestFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rough edges a new user met (issue 25), on the ingest's HTTP port: a wrong method is 405 with Allow
 * and the SPEC error body on every route; error messages read as sentences (no \u0027, no Java null);
 * a body shorter than its Content-Length is 408 after HTTP_BODY_READ_TIMEOUT_MS. No Kafka is needed:
 * every request here is refused before a write.
 */
class IngestEdgesTest {
    static final long BODY_TIMEOUT_MS = 300;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static IngestFixture ingest;

    @BeforeAll
    static void start() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ingest = IngestFixture.start("localhost:" + closedPort, "spans", "logs",
                Map.of("HTTP_BODY_READ_TIMEOUT_MS", Long.toString(BODY_TIMEOUT_MS)));
    }

    @AfterAll
    static void stop() {
        if (ingest != null) ingest.close();
    }

    static HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(ingest.url(path))).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyWrongMethodIs405WithAllowAndTheErrorBody() throws Exception {
        for (String path : List.of(IngestRoutes.TRACES, IngestRoutes.LOGS, IngestRoutes.LEGACY_TRACES,
                IngestRoutes.LEGACY_OTLP_LOGS, IngestRoutes.LEGACY_LOGS)) {
            for (String method : List.of("GET", "HEAD", "PUT", "PATCH", "DELETE")) {
                assertMethodNotAllowed(method, path, "POST");
            }
        }
        for (String path : List.of("/", "/health/live", "/health/ready", "/metrics")) {
            for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
                assertMethodNotAllowed(method, path, "GET, HEAD");
            }
            assertThat(send("HEAD", path, null, null).statusCode()).as("HEAD " + path).isNotEqualTo(405);
        }
    }

    private static void assertMethodNotAllowed(String method, String path, String allow) throws Exception {
        HttpResponse<String> r = send(method, path, null, null);
        assertThat(r.statusCode()).as(method + " " + path).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).as(method + " " + path).hasValue(allow);
        if (!method.equals("HEAD")) {
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("method_not_allowed");
            assertThat(error.get("message").asText()).isEqualTo("method " + method
                    + " is not allowed here; allowed: " + allow);
        }
    }

    /** The ingest port answers as the API's port does (one HTTP server): SPEC §6's error body, never a bare page. */
    @Test
    void unknownPathsAndRefusedRequestsGetTheErrorBody() throws Exception {
        for (String method : List.of("GET", "POST", "DELETE")) {
            HttpResponse<String> r = send(method, "/v1/metrics", "application/json", method.equals("POST") ? "{}" : null);
            assertThat(r.statusCode()).as(method).isEqualTo(404);
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("not_found");
            assertThat(error.get("message").asText()).contains("/v1/traces").contains("/health/ready");
        }
        String longLine = "GET /" + "x".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
        String bigHeaders = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "y".repeat(20_000) + "\r\n\r\n";
        String malformed = "GET / FOO/1.1\r\nHost: x\r\n\r\n";
        Map<String, String> expected = Map.of(longLine, "414", bigHeaders, "431", malformed, "400");
        for (Map.Entry<String, String> request : expected.entrySet()) {
            try (Socket socket = new Socket("127.0.0.1", ingest.server.httpPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(request.getKey().getBytes(StandardCharsets.ISO_8859_1));
                String response = readResponse(socket.getInputStream());
                // Vert.x answers a request it could not parse in HTTP/1.0 (its version is unknown)
                assertThat(response).as(request.getValue()).matches("(?s)HTTP/1\\.[01] " + request.getValue() + " .*")
                        .contains("\"error\":{\"code\":");
            }
        }
    }

    @Test
    void errorMessagesReadAsSentences() throws Exception {
        List<String> answers = new ArrayList<>();
        for (String path : List.of(IngestRoutes.TRACES, IngestRoutes.LEGACY_TRACES, IngestRoutes.LEGACY_LOGS)) {
            // missing, odd and unsupported content types; empty, broken, odd and literal-null bodies
            for (String type : new String[] {null, "text/plain; charset=utf-8", "it's odd", "application/json"}) {
                for (String body : new String[] {"", "{not json", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":"
                        + "[{\"traceId\":\"zz'\",\"spanId\":null}]}]}]}", "null", "{\"logs\":[{\"message\":null}]}"}) {
                    HttpResponse<String> r = send("POST", path, type, body);
                    if (r.statusCode() < 400) continue;
                    JsonNode answer = JSON.readTree(r.body());
                    String message = (answer.has("error") ? answer.at("/error/message") : answer.get("message")).asText();
                    answers.add(path + " " + type + " " + body + " → " + r.statusCode() + " " + r.body());
                    assertThat(r.body()).as(answers.get(answers.size() - 1)).doesNotContain("\\u0027");
                    assertThat(message).as(answers.get(answers.size() - 1)).isNotBlank()
                            .doesNotContainPattern("\\bnull\\b");
                }
            }
        }
        assertThat(answers).hasSizeGreaterThan(20);
        HttpResponse<String> none = send("POST", IngestRoutes.TRACES, null, "x");
        assertThat(none.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(none.body()).get("message").asText())
                .isEqualTo("Content-Type must be application/x-protobuf or application/json;"
                        + " the request has no Content-Type");
        HttpResponse<String> odd = send("POST", IngestRoutes.LEGACY_LOGS, "it's odd", "x");
        assertThat(JSON.readTree(odd.body()).at("/error/message").asText())
                .isEqualTo("Content-Type must be application/json; the request has Content-Type it's odd");
    }

    @Test
    void aBodyShorterThanItsContentLengthIs408AfterTheBodyReadTimeout() throws Exception {
        for (String path : List.of(IngestRoutes.TRACES, IngestRoutes.LEGACY_LOGS)) {
            try (Socket socket = new Socket("127.0.0.1", ingest.server.httpPort())) {
                socket.setSoTimeout(15_000);
                OutputStream out = socket.getOutputStream();
                long start = System.nanoTime();
                out.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n0123456789").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                String response = readResponse(socket.getInputStream());
                long waitedMs = (System.nanoTime() - start) / 1_000_000;
                assertThat(response).as(path).startsWith("HTTP/1.1 408 ").contains("HTTP_BODY_READ_TIMEOUT_MS")
                        .doesNotContain("\\u0027");
                // Not before the timeout, and well before the connector's 30 s idle timeout.
                assertThat(waitedMs).as(path).isBetween(BODY_TIMEOUT_MS - 20, 10_000L);
            }
        }
        // The connection's idle timeout is restored: a complete request on a reused connection still works.
        HttpResponse<String> live = send("GET", "/health/live", null, null);
        assertThat(live.statusCode()).isEqualTo(200);
    }

    /** The status line, headers and the body (by Content-Length) of one response. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) break;
            head.append((char) c);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
