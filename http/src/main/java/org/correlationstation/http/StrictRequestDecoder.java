package org.correlationstation.http;

import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

/**
 * Vert.x's request parser, refusing a request line whose version is not {@code HTTP/d.d} as netty's own
 * parser does (strict): such a request is then malformed (400 from {@link VertxExchange#invalid}),
 * where Vert.x's lenient parser takes {@code FOO/1.1} for a version and answers 501 itself, with that
 * "version" in the status line. Replaces Vert.x's on each connection (see {@link VertxHttpServer}).
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {
    StrictRequestDecoder(HttpServerOptions options) {
        super(options);
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) {
        String v = initialLine[2];
        if (v.length() != 8 || !v.startsWith("HTTP/") || !Character.isDigit(v.charAt(5)) || v.charAt(6) != '.'
                || !Character.isDigit(v.charAt(7))) {
            throw new IllegalArgumentException("not an HTTP version"); // the parser makes it a failed request
        }
        return super.createMessage(initialLine);
    }
}
