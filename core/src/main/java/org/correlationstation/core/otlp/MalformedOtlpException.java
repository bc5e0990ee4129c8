package org.correlationstation.core.otlp;

/**
 * A message that cannot be decoded. {@link #reason()} is a short, stable code (a metric label and the
 * start of the DLQ {@code dlq.reason} header); the message says what exactly was wrong.
 */
public class MalformedOtlpException extends Exception {
    public static final String MALFORMED_PROTO = "malformed_proto";
    public static final String MALFORMED_JSON = "malformed_json";
    public static final String INVALID_TRACE_ID = "invalid_trace_id";
    public static final String INVALID_SPAN_ID = "invalid_span_id";
    public static final String OVERSIZED = "oversized";

    private final String reason;

    public MalformedOtlpException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public MalformedOtlpException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    /** The value of the DLQ header {@code dlq.reason}: code, then detail. */
    public String describe() {
        return reason + ": " + getMessage();
    }
}
