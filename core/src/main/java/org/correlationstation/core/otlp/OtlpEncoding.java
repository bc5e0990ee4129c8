package org.correlationstation.core.otlp;

import java.util.Locale;

/** How an OTLP message is encoded on a Kafka topic: the Collector kafka exporter's names. */
public enum OtlpEncoding {
    OTLP_PROTO,
    OTLP_JSON;

    public static OtlpEncoding parse(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "otlp_proto": return OTLP_PROTO;
            case "otlp_json": return OTLP_JSON;
            default:
                throw new IllegalArgumentException(
                        "unknown OTLP encoding '" + value + "' (expected otlp_proto or otlp_json)");
        }
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
