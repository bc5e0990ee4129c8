package org.correlationstation.api.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One raw TCP connection speaking HTTP/1.1 byte by byte: what java.net.http cannot send (pipelined
 * requests, malformed ones, HTTP/1.0) and cannot show (the exact framing of each response). Reads
 * time out after {@link #READ_TIMEOUT_MS}: a server that does not answer fails the test, never hangs it.
 */
final class RawHttp implements AutoCloseable {
    static final int READ_TIMEOUT_MS = 10_000;

    /** One response: status, headers (names in lower case, last value wins), body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(int port) {
        try {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RawHttp send(String request) {
        return send(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp send(byte[] request) {
        try {
            out.write(request);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** The next response; {@code head}: it answers a HEAD, so it has no body whatever its Content-Length. */
    Response read(boolean head) {
        String statusLine = line();
        if (statusLine == null) throw new AssertionError("the connection closed before a response");
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new AssertionError("not a status line: " + statusLine);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = line()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        int status = Integer.parseInt(parts[1]);
        byte[] body = new byte[0];
        if (!head && status >= 200 && status != 204 && status != 304) {
            String length = headers.get("content-length");
            if (length == null) throw new AssertionError("no Content-Length: " + headers);
            body = bytes(Integer.parseInt(length));
        }
        return new Response(status, headers, body);
    }

    Response read() {
        return read(false);
    }

    /** Whether the server closed the connection (end of stream, or a reset after the response). */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private String line() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    byte[] bytes = b.toByteArray();
                    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
                }
                b.write(c);
            }
            return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] bytes(int n) {
        try {
            byte[] b = in.readNBytes(n);
            if (b.length < n) throw new AssertionError("body cut short: " + b.length + " of " + n + " bytes");
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
