package org.correlationstation.http;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request to a {@link PostHandler}.
 *
 * @param path the request path (no query)
 * @param headers header name (any case) → first value
 * @param body the body as received: at most the server's body limit plus one byte, so that the
 *     handler can tell (and answer) a body that is too large; empty when the declared length alone
 *     exceeds the limit
 * @param contentLength the declared {@code Content-Length}, or -1 when none (chunked)
 * @param remoteAddress the client's address ({@code host:port})
 */
public record PostRequest(String path, Map<String, String> headers, byte[] body, long contentLength,
        String remoteAddress) {

    public PostRequest {
        TreeMap<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(headers);
        headers = Collections.unmodifiableMap(h);
    }

    /** The header's first value, or null. */
    public String header(String name) {
        return headers.get(name);
    }
}
