package org.correlationstation.connectors.tempo;

import org.correlationstation.core.config.UrlRedaction;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.correlationstation.connectors.export.AttemptResult;
import org.correlationstation.connectors.export.RetryAfter;
import org.correlationstation.connectors.export.SinkSecurity;

/**
 * OTLP/HTTP with protobuf bodies: {@code POST …/v1/traces}, {@code Content-Type: application/x-protobuf}.
 * 2xx is delivered (a {@code partial_success} is reported to the listener); 408, 429 and 5xx are retried,
 * honouring {@code Retry-After}; any other 4xx is a rejection, with the {@code google.rpc.Status} message
 * of the body (or the body as text) as the answer. A 401 or 403 (wrong credentials) is such a rejection too,
 * as every other invalid request. {@code https://} with the configured CA and client certificate, basic
 * auth from the URL's user-info, {@code TEMPO_HEADERS} on every request, and {@code Content-Encoding: gzip}
 * bodies when asked for.
 */
public final class OtlpHttpTraceTransport implements OtlpTraceTransport {
    private static final int MAX_ANSWER_CHARS = 1024;

    private final URI uri;
    private final Duration timeout;
    private final PartialSuccessListener partialSuccess;
    private final Map<String, String> headers;
    private final boolean gzip;
    private final ExecutorService executor;
    private final HttpClient client;

    public OtlpHttpTraceTransport(TempoSinkOptions options, PartialSuccessListener partialSuccess) {
        String url = options.httpEndpoint();
        Duration timeout = options.export().timeout();
        // the credentials of the URL go in the Authorization header, never in the request line
        this.uri = URI.create(SinkSecurity.withoutUserInfo(url));
        this.headers = options.security().requestHeaders(url);
        this.gzip = options.gzip();
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("TEMPO_HTTP_ENDPOINT must be an http(s) URL: " + UrlRedaction.redact(url));
        }
        this.timeout = timeout;
        this.partialSuccess = partialSuccess;
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread t = new Thread(runnable, "tempo-otlp-http");
            t.setDaemon(true);
            return t;
        });
        HttpClient.Builder client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .executor(executor);
        options.security().applyTo(client, "TEMPO");
        this.client = client.build();
    }

    @Override
    public CompletableFuture<AttemptResult> send(byte[] request) {
        HttpRequest.Builder post = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip ? gzip(request) : request));
        if (gzip) {
            post.header("Content-Encoding", "gzip");
        }
        headers.forEach(post::setHeader);
        return client.sendAsync(post.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> error == null ? classify(response) : failed(error));
    }

    private AttemptResult classify(HttpResponse<byte[]> response) {
        int code = response.statusCode();
        if (code >= 200 && code < 300) {
            reportPartialSuccess(response.body());
            return AttemptResult.delivered(Integer.toString(code));
        }
        var retryAfter = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null),
                System.currentTimeMillis()).orElse(null);
        return AttemptResult.ofHttp(code, retryAfter, answer(response));
    }

    private void reportPartialSuccess(byte[] body) {
        if (body == null || body.length == 0) {
            return;
        }
        try {
            ExportTraceServiceResponse parsed = ExportTraceServiceResponse.parseFrom(body);
            if (parsed.hasPartialSuccess() && parsed.getPartialSuccess().getRejectedSpans() > 0) {
                partialSuccess.accept(parsed.getPartialSuccess().getRejectedSpans());
            }
        } catch (InvalidProtocolBufferException notOtlp) {
            // a 2xx with some other body (a proxy's): delivered all the same
        }
    }

    /** The message of the {@code google.rpc.Status} body OTLP servers answer errors with, else the body as text. */
    static String answer(HttpResponse<byte[]> response) {
        byte[] body = response.body();
        if (body == null || body.length == 0) {
            return "HTTP " + response.statusCode();
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (type.startsWith("application/x-protobuf")) {
            try {
                String message = com.google.rpc.Status.parseFrom(body).getMessage();
                if (!message.isEmpty()) {
                    return truncate(message);
                }
            } catch (InvalidProtocolBufferException notAStatus) {
                // fall through to text
            }
        }
        return truncate(new String(body, StandardCharsets.UTF_8).strip());
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(body);
        } catch (IOException inMemory) {
            throw new UncheckedIOException(inMemory);
        }
        return out.toByteArray();
    }

    static String truncate(String s) {
        return s.length() <= MAX_ANSWER_CHARS ? s : s.substring(0, MAX_ANSWER_CHARS) + "…";
    }

    private static AttemptResult failed(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String message = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return AttemptResult.retry(e instanceof HttpTimeoutException ? "timeout" : "error", null, message);
    }

    @Override
    public String endpoint() {
        return uri.toString();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
