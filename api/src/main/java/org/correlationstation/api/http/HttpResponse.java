package org.correlationstation.api.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a route handler answers: status, body bytes, content type and extra headers. */
public record HttpResponse(int status, byte[] body, String contentType, Map<String, String> headers) {
    public static final String JSON = "application/json";

    public static HttpResponse json(int status, String json) {
        return new HttpResponse(status, json.getBytes(StandardCharsets.UTF_8), JSON, Map.of());
    }

    public HttpResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new HttpResponse(status, body, contentType, h);
    }
}
