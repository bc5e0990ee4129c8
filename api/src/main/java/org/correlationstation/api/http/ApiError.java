package org.correlationstation.api.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request that ends in an error response {@code {"error":{"code":…,"message":…}}} (SPEC §6). The
 * message is shown to the client: it names the parameter and the rule, never a secret.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final Map<String, String> headers;

    public ApiError(int status, String code, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = headers == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(headers));
    }

    public ApiError(int status, String code, String message) {
        this(status, code, message, null);
    }

    public static ApiError invalidArgument(String message) {
        return new ApiError(400, "invalid_argument", message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "not_found", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
