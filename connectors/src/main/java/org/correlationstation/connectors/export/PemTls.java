package org.correlationstation.connectors.export;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS material from PEM files with the JDK alone (no BouncyCastle): CA certificates into a trust manager,
 * a client certificate chain and its PKCS#8 key into a key manager. The same factories serve Java's
 * HttpClient (Loki, OTLP/HTTP) and grpc-java's Netty (OTLP/gRPC), so both check certificates alike.
 * Errors name the option and the file, never the key's contents.
 */
public final class PemTls {
    private PemTls() {}

    private static final Pattern PRIVATE_KEY =
            Pattern.compile("-----BEGIN ([A-Z ]*)PRIVATE KEY-----([^-]*)-----END \\1PRIVATE KEY-----");
    private static final char[] NO_PASSWORD = new char[0];

    /** Trust only the CA certificates of {@code caFile}; null: the JVM's default trust (returns null). */
    public static TrustManagerFactory trust(String caFile, String option) {
        if (caFile == null) {
            return null;
        }
        try {
            Collection<? extends Certificate> cas = certificates(caFile, option);
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate ca : cas) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use " + option + " " + caFile + ": " + e.getMessage(), e);
        }
    }

    /** The client certificate (chain first the leaf) and its key; null when no certificate is configured. */
    public static KeyManagerFactory keys(String certFile, String keyFile, String certOption, String keyOption) {
        if (certFile == null) {
            return null;
        }
        Collection<? extends Certificate> chain = certificates(certFile, certOption);
        PrivateKey key = privateKey(keyFile, keyOption);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(new Certificate[0]));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, NO_PASSWORD);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use " + certOption + " " + certFile + " with " + keyOption + " "
                    + keyFile + ": " + e.getMessage(), e);
        }
    }

    /** An SSLContext for Java's HttpClient; the JVM's defaults for what is not configured. */
    public static SSLContext sslContext(TrustManagerFactory trust, KeyManagerFactory keys) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(),
                    null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS", e);
        }
    }

    private static Collection<? extends Certificate> certificates(String file, String option) {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(option + " " + file + " holds no PEM certificate");
            }
            return certs;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read " + option + " " + file + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(String file, String option) {
        String pem;
        try {
            pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + option + " " + file + ": " + e.getMessage(), e);
        }
        Matcher m = PRIVATE_KEY.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException(option + " " + file + " holds no PEM private key");
        }
        if (!m.group(1).isEmpty()) { // RSA / EC / ENCRYPTED: formats the JDK cannot read without a library
            throw new IllegalArgumentException(option + " " + file + " is a " + m.group(1).trim()
                    + " PRIVATE KEY; convert it to an unencrypted PKCS#8 key (BEGIN PRIVATE KEY) with"
                    + " openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        List<String> tried = new ArrayList<>();
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                tried.add(algorithm);
            }
        }
        throw new IllegalArgumentException(option + " " + file + " is not an " + String.join(", ", tried)
                + " PKCS#8 key");
    }
}
