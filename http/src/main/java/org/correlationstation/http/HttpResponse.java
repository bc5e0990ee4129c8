package org.correlationstation.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a route handler answers: status, body bytes, content type and extra headers. */
public record HttpResponse(int status, byte[] body, String contentType, Map<String, String> headers) {
    public static final String JSON = "application/json";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** SPEC §6's error body on both ports: {@code {"error":{"code":…,"message":…}}}. */
    public static HttpResponse error(int status, String code, String message) {
        Map<String, String> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        return jsonOf(status, Map.of("error", error));
    }

    /** {@code body} written as JSON by Jackson. */
    public static HttpResponse jsonOf(int status, Object body) {
        try {
            return json(status, MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static HttpResponse json(int status, String json) {
        return new HttpResponse(status, json.getBytes(StandardCharsets.UTF_8), JSON, Map.of());
    }

    public HttpResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new HttpResponse(status, body, contentType, h);
    }
}
