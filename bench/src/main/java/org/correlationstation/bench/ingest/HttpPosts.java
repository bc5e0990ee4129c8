package org.correlationstation.bench.ingest;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.correlationstation.bench.api.ConstantRateClient;
import org.correlationstation.bench.load.Signal;

/**
 * A {@link RequestPool}'s requests as OTLP/HTTP POSTs for {@link ConstantRateClient}: request {@code i}
 * of a run is the pool's request {@code first + i}, to {@code /v1/traces} or {@code /v1/logs}; a 2xx
 * answer counts its events.
 */
public record HttpPosts(RequestPool pool, long first, RequestPool.Encoding encoding, String hostHeader,
        String pathPrefix) implements ConstantRateClient.Requests {

    /** The OTLP/HTTP paths at the root of {@code hostHeader} (host:port). */
    public static HttpPosts of(RequestPool pool, long first, RequestPool.Encoding encoding, String hostHeader) {
        return new HttpPosts(pool, first, encoding, hostHeader, "");
    }

    @Override
    public FullHttpRequest request(long i) {
        byte[] body = pool.body(first + i, encoding);
        HttpHeaders headers = new DefaultHttpHeaders()
                .set(HttpHeaderNames.HOST, hostHeader)
                .set(HttpHeaderNames.CONTENT_TYPE, encoding.contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        String path = pathPrefix + (pool.signal(first + i) == Signal.SPANS ? Signal.SPANS.otlpHttpPath : Signal.LOGS.otlpHttpPath);
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, Unpooled.wrappedBuffer(body),
                headers, EmptyHttpHeaders.INSTANCE);
    }

    @Override
    public long units(long i) {
        return pool.events(first + i);
    }
}
