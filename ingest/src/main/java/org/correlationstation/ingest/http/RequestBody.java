package org.correlationstation.ingest.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a request body within {@code OTLP_MAX_BODY_BYTES}, on the wire and, with
 * {@code Content-Encoding: gzip}, after decompression: a body (or a gzip bomb) is never inflated
 * beyond the limit plus one byte; more is a 413.
 */
final class RequestBody {
    private RequestBody() {}

    static byte[] read(InputStream in, long contentLength, String contentEncoding, int maxBytes)
            throws HttpFailure, IOException {
        boolean gzip = isGzip(contentEncoding);
        if (contentLength > maxBytes) {
            throw HttpFailure.tooLarge("the body has " + contentLength + " bytes, the limit is " + maxBytes
                    + " (OTLP_MAX_BODY_BYTES)");
        }
        byte[] wire = bounded(in, maxBytes, "the body is larger than " + maxBytes + " bytes (OTLP_MAX_BODY_BYTES)");
        if (!gzip) return wire;
        try (InputStream inflated = new GZIPInputStream(new ByteArrayInputStream(wire))) {
            return bounded(inflated, maxBytes,
                    "the body decompresses to more than " + maxBytes + " bytes (OTLP_MAX_BODY_BYTES)");
        } catch (ZipException | java.io.EOFException e) {
            throw HttpFailure.invalid("Content-Encoding is gzip but the body is not valid gzip: " + e.getMessage());
        }
    }

    private static boolean isGzip(String contentEncoding) throws HttpFailure {
        if (contentEncoding == null) return false;
        String encoding = contentEncoding.trim().toLowerCase(Locale.ROOT);
        if (encoding.isEmpty() || encoding.equals("identity")) return false;
        if (encoding.equals("gzip") || encoding.equals("x-gzip")) return true;
        throw HttpFailure.unsupportedMediaType("unsupported Content-Encoding " + HttpFailure.shown(contentEncoding)
                + " (supported: gzip, identity)");
    }

    private static byte[] bounded(InputStream in, int maxBytes, String tooLarge) throws IOException, HttpFailure {
        byte[] bytes = in.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) throw HttpFailure.tooLarge(tooLarge);
        return bytes;
    }
}
