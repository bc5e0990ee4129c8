package org.correlationstation.ingest.http;

import java.io.InputStream;

/**
 * One request to an ingestion route, whatever HTTP server received it.
 *
 * @param contentType the {@code Content-Type} header, or null
 * @param contentEncoding the {@code Content-Encoding} header, or null
 * @param authorization the {@code Authorization} header, or null
 * @param body the body as received (read at most to the body limit plus one byte)
 * @param contentLength the declared {@code Content-Length}, or -1 when none
 */
public record IngestRequest(String contentType, String contentEncoding, String authorization, InputStream body,
        long contentLength) {}
