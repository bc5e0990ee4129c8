package org.correlationstation.http;

/**
 * Errors a server answers itself, before a request reaches the routes (a request line or headers
 * beyond the server's limits, a malformed request, a handler that failed), in SPEC §6's error format,
 * alike on both ports. The parser's own reason is not shown: it may quote the request.
 *
 * @param uriTooLong the 414's message (each port states its own limit)
 * @param internal the 500's message (which log to look in)
 */
public record TransportErrors(String uriTooLong, String internal) {

    public HttpResponse response(int status) {
        return switch (status) {
            case 400 -> HttpResponse.error(400, "invalid_argument",
                    "malformed request (e.g. a bad request line, header or chunk encoding)");
            case 413 -> HttpResponse.error(413, "payload_too_large", "request too large");
            case 414 -> HttpResponse.error(414, "uri_too_long", uriTooLong);
            case 431 -> HttpResponse.error(431, "headers_too_large", "the request headers are too large");
            default -> status >= 500 ? HttpResponse.error(status, "internal", internal)
                    : HttpResponse.error(status, "invalid_argument", "malformed request");
        };
    }
}
