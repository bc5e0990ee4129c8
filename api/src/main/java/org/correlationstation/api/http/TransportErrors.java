package org.correlationstation.api.http;

import java.util.Map;
import org.correlationstation.http.HttpResponse;

/**
 * Errors the HTTP server answers itself, before a request reaches the route table (a request line or
 * headers beyond the server's limits, a malformed request), in the API's error format. The parser's
 * own reason is not shown: it may quote the request.
 */
final class TransportErrors {
    private TransportErrors() {}

    static HttpResponse response(int status) {
        String code;
        String message;
        switch (status) {
            case 400 -> {
                code = "invalid_argument";
                message = "malformed request (e.g. a bad request line, header or chunk encoding)";
            }
            case 413 -> {
                code = "payload_too_large";
                message = "request too large";
            }
            case 414 -> {
                code = "uri_too_long";
                message = "the request URL is too long (at most " + HttpApi.MAX_URL_BYTES + " bytes)";
            }
            case 431 -> {
                code = "headers_too_large";
                message = "the request headers are too large";
            }
            default -> {
                code = status >= 500 ? "internal" : "invalid_argument";
                message = status >= 500 ? "internal error; see the API's log" : "malformed request";
            }
        }
        return HttpApi.json(status, Map.of("error", HttpApi.errorBody(code, message)));
    }
}
