package org.correlationstation.api.http;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Errors Jetty answers itself, before the API sees the request (a request line or headers beyond
 * Jetty's limits, an ambiguous URI), in the API's error format instead of an HTML page. Jetty's own
 * reason text is not shown: it may quote the request.
 */
public final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request,
            HttpServletResponse response, int code, String message) throws IOException {
        baseRequest.setHandled(true);
        response.setContentType(HttpResponse.JSON);
        byte[] body = body(code);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, HttpResponse.JSON));
        return ByteBuffer.wrap(body(status));
    }

    static byte[] body(int status) {
        String code;
        String message;
        switch (status) {
            case 400 -> {
                code = "invalid_argument";
                message = "malformed request (e.g. an ambiguous or badly encoded URL)";
            }
            case 404 -> {
                code = "not_found";
                message = "no such route: see GET / and docs/api.md";
            }
            case 405 -> {
                code = "method_not_allowed";
                message = "method not allowed";
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
                message = status >= 500 ? "internal error" : "malformed request";
            }
        }
        return HttpApi.toJson(Map.of("error", HttpApi.errorBody(code, message))).getBytes(StandardCharsets.UTF_8);
    }
}
