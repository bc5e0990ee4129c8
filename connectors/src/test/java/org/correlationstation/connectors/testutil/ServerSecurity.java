package org.correlationstation.connectors.testutil;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import javax.net.ssl.SSLParameters;

/**
 * What a test server requires of its clients, as a hosted backend or its gateway does: TLS with the
 * {@link TestCertificates} server certificate, a client certificate signed by that CA (mTLS), and
 * headers with exact values (basic auth is an {@code Authorization} header). A request without them is
 * answered 401 (gRPC: UNAUTHENTICATED), as Grafana Cloud answers a wrong token.
 */
public record ServerSecurity(TestCertificates certificates, boolean requireClientCert, Map<String, String> requiredHeaders) {

    public ServerSecurity {
        if (requireClientCert && certificates == null) {
            throw new IllegalArgumentException("a client certificate needs TLS");
        }
        TreeMap<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.putAll(requiredHeaders == null ? Map.of() : requiredHeaders);
        requiredHeaders = byName;
    }

    public static ServerSecurity none() {
        return new ServerSecurity(null, false, Map.of());
    }

    public static ServerSecurity tls() {
        return new ServerSecurity(TestCertificates.get(), false, Map.of());
    }

    public static ServerSecurity mutualTls() {
        return new ServerSecurity(TestCertificates.get(), true, Map.of());
    }

    public ServerSecurity requiring(String header, String value) {
        Map<String, String> headers = new TreeMap<>(requiredHeaders);
        headers.put(header, value);
        return new ServerSecurity(certificates, requireClientCert, headers);
    }

    public ServerSecurity requiringBasicAuth(String user, String password) {
        return requiring("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    public String scheme() {
        return certificates == null ? "http" : "https";
    }

    /** Null when every required header is there with its value, else what is wrong (without the value). */
    public String problem(Function<String, String> header) {
        for (Map.Entry<String, String> required : requiredHeaders.entrySet()) {
            String got = header.apply(required.getKey());
            if (got == null) {
                return "missing header " + required.getKey();
            }
            if (!got.equals(required.getValue())) {
                return "wrong value of header " + required.getKey().toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    /** For an {@code HttpsServer}: this CA's server certificate, and client certificates when required. */
    public HttpsConfigurator httpsConfigurator() {
        return new HttpsConfigurator(certificates.serverContext()) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
                ssl.setNeedClientAuth(requireClientCert);
                params.setSSLParameters(ssl);
            }
        };
    }
}
