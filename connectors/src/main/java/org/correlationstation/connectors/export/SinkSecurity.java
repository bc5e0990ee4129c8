package org.correlationstation.connectors.export;

import java.io.Serializable;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * What a sink needs to reach a hosted backend besides its address: extra headers on every request
 * ({@code LOKI_HEADERS}, {@code TEMPO_HEADERS}), and the PEM files of TLS: CA certificates to trust instead
 * of the JVM's ({@code *_CA_FILE}) and a client certificate with its key for mTLS
 * ({@code *_CLIENT_CERT_FILE}, {@code *_CLIENT_KEY_FILE}). The files are read where the writer opens (on
 * every TaskManager), not shipped in the job graph, so no key material is serialised with the sink.
 * {@link #toString()} shows header names and file paths only: header values are credentials.
 */
public record SinkSecurity(Map<String, String> headers, String caFile, String clientCertFile, String clientKeyFile)
        implements Serializable {

    public SinkSecurity {
        // a LinkedHashMap behind the view: serialisable, and headers go out in the order given
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers == null ? Map.of() : headers));
        caFile = blankToNull(caFile);
        clientCertFile = blankToNull(clientCertFile);
        clientKeyFile = blankToNull(clientKeyFile);
        if ((clientCertFile == null) != (clientKeyFile == null)) {
            throw new IllegalArgumentException("a client certificate needs its key file and the reverse");
        }
    }

    public static SinkSecurity none() {
        return new SinkSecurity(Map.of(), null, null, null);
    }

    /** Whether any TLS file is given: then the endpoint must use TLS, or the files would be silently unused. */
    public boolean hasTlsFiles() {
        return caFile != null || clientCertFile != null;
    }

    /** The CA to trust, or null for the JVM's; {@code prefix} names the options in errors ({@code LOKI}, {@code TEMPO}). */
    public TrustManagerFactory trust(String prefix) {
        return PemTls.trust(caFile, prefix + "_CA_FILE");
    }

    /** The client certificate and key (mTLS), or null for none; {@code prefix} as in {@link #trust}. */
    public KeyManagerFactory keys(String prefix) {
        return PemTls.keys(clientCertFile, clientKeyFile, prefix + "_CLIENT_CERT_FILE", prefix + "_CLIENT_KEY_FILE");
    }

    /** Puts the TLS files on a JDK HTTP client; with none, the client keeps the JVM's defaults. */
    public void applyTo(HttpClient.Builder client, String prefix) {
        if (hasTlsFiles()) client.sslContext(PemTls.sslContext(trust(prefix), keys(prefix)));
    }

    /**
     * The headers of every request to {@code url}: basic auth from the URL's user-info
     * ({@code https://user:password@host/…}, %-decoded) unless the configured headers set
     * {@code Authorization} themselves, then the configured headers.
     */
    public Map<String, String> requestHeaders(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        String basic = basicAuthorization(url);
        boolean ownAuthorization = headers.keySet().stream().anyMatch("Authorization"::equalsIgnoreCase);
        if (basic != null && !ownAuthorization) {
            out.put("Authorization", basic);
        }
        out.putAll(headers);
        return out;
    }

    /** {@code Basic base64(user:password)} of a URL's user-info, or null without one. */
    static String basicAuthorization(String url) {
        String userInfo = rawUserInfo(url);
        if (userInfo == null) {
            return null;
        }
        int colon = userInfo.indexOf(':');
        String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The URL without its user-info: what is requested (and may be logged). */
    public static String withoutUserInfo(String url) {
        String userInfo = rawUserInfo(url);
        return userInfo == null ? url : url.replaceFirst("://\\Q" + userInfo + "\\E@", "://");
    }

    /** The user-info between {@code scheme://} and the last {@code @} of the authority, or null. */
    private static String rawUserInfo(String url) {
        int start = url.indexOf("://");
        if (start < 0) {
            return null;
        }
        start += 3;
        int end = url.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = url.indexOf(c, start);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        int at = url.lastIndexOf('@', end - 1);
        return at < start ? null : url.substring(start, at);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Whether the URL asks for TLS ({@code https://}). */
    public static boolean isHttps(String url) {
        return url.trim().regionMatches(true, 0, "https://", 0, "https://".length());
    }

    @Override
    public String toString() {
        return "SinkSecurity{headers=" + headers.keySet() + ", caFile=" + caFile + ", clientCertFile=" + clientCertFile
                + ", clientKeyFile=" + clientKeyFile + "}";
    }
}
