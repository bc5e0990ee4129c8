package org.correlationstation.connectors.testutil;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.correlationstation.connectors.export.SinkSecurity;

/**
 * A throw-away CA made for the test run with the JDK's own {@code keytool} (no BouncyCastle): a server
 * certificate for {@code 127.0.0.1}/{@code localhost} and a client certificate, both signed by it, and the
 * PEM files a sink is configured with ({@code *_CA_FILE}, {@code *_CLIENT_CERT_FILE}, {@code *_CLIENT_KEY_FILE}).
 * Generated once per test JVM (keytool starts a JVM per step), in a temporary directory.
 */
public final class TestCertificates {
    private static final String PASSWORD = "changeit";
    private static TestCertificates instance;

    private final Path dir;
    private final Certificate ca;
    private final PrivateKey serverKey;
    private final Certificate[] serverChain;

    private TestCertificates(Path dir) throws IOException, GeneralSecurityException {
        this.dir = dir;
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=cs-test-ca",
                "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASSWORD, "-file", "ca.pem");
        this.ca = certificates(dir.resolve("ca.pem")).get(0);
        signed("server", "san=ip:127.0.0.1,dns:localhost", "eku=serverAuth");
        signed("client", "san=dns:correlation-station", "eku=clientAuth");
        this.serverKey = key("server");
        this.serverChain = new Certificate[] {certificates(dir.resolve("server.pem")).get(0), ca};
        // the client's files as a user would have them: chain and PKCS#8 key in PEM
        Files.writeString(dir.resolve("client.pem"), Files.readString(dir.resolve("client.pem")) + Files.readString(
                dir.resolve("ca.pem")));
        Files.writeString(dir.resolve("client-key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
                        key("client").getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
    }

    public static synchronized TestCertificates get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("cs-test-ca");
                dir.toFile().deleteOnExit();
                instance = new TestCertificates(dir);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot make the test CA with keytool", e);
            }
        }
        return instance;
    }

    /** The CA certificate, PEM: {@code *_CA_FILE}. */
    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** The client certificate and the CA, PEM: {@code *_CLIENT_CERT_FILE}. */
    public Path clientCertFile() {
        return dir.resolve("client.pem");
    }

    /** The client's unencrypted PKCS#8 key, PEM: {@code *_CLIENT_KEY_FILE}. */
    public Path clientKeyFile() {
        return dir.resolve("client-key.pem");
    }

    /** Sink options trusting the test CA (the server's certificate), without a client certificate. */
    public static SinkSecurity caOnly() {
        return new SinkSecurity(Map.of(), get().caFile().toString(), null, null);
    }

    /** Sink options trusting the test CA and presenting the client certificate (mTLS). */
    public static SinkSecurity withClientCert() {
        TestCertificates certs = get();
        return new SinkSecurity(Map.of(), certs.caFile().toString(), certs.clientCertFile().toString(),
                certs.clientKeyFile().toString());
    }

    /** The server's certificate chain and key. */
    public KeyManagerFactory serverKeys() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", serverKey, PASSWORD.toCharArray(), serverChain);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PASSWORD.toCharArray());
            return keys;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trusts this CA only: what a server checks client certificates against. */
    public TrustManagerFactory caTrust() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", ca);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            return trust;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server's SSLContext: its chain, and this CA for client certificates (when it asks for them). */
    public SSLContext serverContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(serverKeys().getKeyManagers(), caTrust().getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void signed(String name, String san, String eku) throws IOException {
        String store = name + ".p12";
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-validity", "2", "-keystore", store, "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-certreq", "-alias", name, "-keystore", store, "-storepass", PASSWORD, "-file", name + ".csr");
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASSWORD, "-infile",
                name + ".csr", "-outfile", name + ".pem", "-validity", "2", "-ext", san, "-ext", eku);
    }

    private PrivateKey key(String name) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(name + ".p12"))) {
            store.load(in, PASSWORD.toCharArray());
        }
        return (PrivateKey) store.getKey(name, PASSWORD.toCharArray());
    }

    private static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
    }

    private void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
