package org.correlationstation.ingest.http;

import java.util.Locale;
import org.correlationstation.core.otlp.OtlpEncoding;

/** The two OTLP/HTTP encodings, by {@code Content-Type} (parameters such as charset are ignored). */
enum OtlpContentType {
    PROTOBUF("application/x-protobuf", OtlpEncoding.OTLP_PROTO),
    JSON("application/json", OtlpEncoding.OTLP_JSON);

    final String mediaType;
    final OtlpEncoding encoding;

    OtlpContentType(String mediaType, OtlpEncoding encoding) {
        this.mediaType = mediaType;
        this.encoding = encoding;
    }

    /** @return the content type, or null when it is neither OTLP encoding */
    static OtlpContentType of(String header) {
        if (header == null) return null;
        int semicolon = header.indexOf(';');
        String type = (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        for (OtlpContentType t : values()) {
            if (t.mediaType.equals(type)) return t;
        }
        return null;
    }
}
