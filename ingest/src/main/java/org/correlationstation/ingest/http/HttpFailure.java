package org.correlationstation.ingest.http;

import com.google.rpc.Code;
import org.correlationstation.ingest.kafka.KafkaWriteException;

/**
 * A request that ends in an error response. The OTLP routes render it as a {@code google.rpc.Status}
 * (protobuf or JSON, as the request); the legacy routes as the SPEC §6 error body
 * {@code {"error":{"code":…,"message":…}}}.
 */
public final class HttpFailure extends Exception {
    private static final long serialVersionUID = 1L;
    /** Seconds a client should wait after Kafka was unavailable (a broker fail-over takes a few). */
    static final int UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
    static final int BACKPRESSURE_RETRY_AFTER_SECONDS = 1;

    private final int status;
    private final Code rpcCode;
    private final String code;
    private final Integer retryAfterSeconds;

    private HttpFailure(int status, Code rpcCode, String code, String message, Integer retryAfterSeconds) {
        // Never a null message: it is shown to the client as it is.
        super(message == null || message.isBlank() ? "the request failed (" + code + ")" : message, null, false, false);
        this.status = status;
        this.rpcCode = rpcCode;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static HttpFailure invalid(String message) {
        return new HttpFailure(400, Code.INVALID_ARGUMENT, "invalid_argument", message, null);
    }

    static HttpFailure unauthenticated() {
        return new HttpFailure(401, Code.UNAUTHENTICATED, "unauthenticated",
                "missing or wrong bearer token (Authorization: Bearer <INGEST_TOKEN>)", null);
    }

    static HttpFailure tooLarge(String message) {
        return new HttpFailure(413, Code.RESOURCE_EXHAUSTED, "payload_too_large", message, null);
    }

    static HttpFailure unsupportedMediaType(String message) {
        return new HttpFailure(415, Code.INVALID_ARGUMENT, "unsupported_media_type", message, null);
    }

    static HttpFailure requestTimeout(long timeoutMs) {
        return new HttpFailure(408, Code.DEADLINE_EXCEEDED, "request_timeout", "the request body did not arrive"
                + " within " + timeoutMs + " ms (HTTP_BODY_READ_TIMEOUT_MS): it is shorter than its Content-Length"
                + " says, or stalled", null);
    }

    /**
     * The request's content type as an error message mentions it: a sentence part, no quotes (a JSON
     * writer may escape them) and no Java null for a missing header.
     */
    static String describeContentType(String contentType) {
        return contentType == null || contentType.isBlank() ? "the request has no Content-Type"
                : "the request has Content-Type " + shown(contentType);
    }

    /** A header value for a message: at most 100 printable characters. */
    static String shown(String value) {
        String printable = value.strip().replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 100 ? printable : printable.substring(0, 100) + "…";
    }

    static HttpFailure of(KafkaWriteException e) {
        return switch (e.kind()) {
            case BACKPRESSURE -> new HttpFailure(429, Code.RESOURCE_EXHAUSTED, "resource_exhausted",
                    "the ingest service is busy (Kafka's producer buffer is full); retry later",
                    BACKPRESSURE_RETRY_AFTER_SECONDS);
            case TOO_LARGE -> tooLarge("a trace's data is larger than Kafka accepts: " + e.getMessage());
            case UNAVAILABLE -> new HttpFailure(503, Code.UNAVAILABLE, "unavailable",
                    "Kafka did not store the data, nothing was accepted; retry later (" + e.getMessage() + ")",
                    UNAVAILABLE_RETRY_AFTER_SECONDS);
        };
    }

    public int status() {
        return status;
    }

    public Code rpcCode() {
        return rpcCode;
    }

    public String code() {
        return code;
    }

    /** Seconds for the {@code Retry-After} header, or null for errors a retry cannot fix. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
