package org.correlationstation.ingest.http;

import java.util.Map;

/** The answer of an ingestion route: status, content type, body, extra headers (e.g. Retry-After). */
public record IngestResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    public IngestResponse {
        headers = Map.copyOf(headers);
    }
}
