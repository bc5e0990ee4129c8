package org.correlationstation.ingest.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The optional {@code INGEST_TOKEN} check shared by the HTTP and gRPC receivers: an
 * {@code Authorization: Bearer <token>} header. Both sides are hashed before a constant-time compare,
 * so neither the content nor the length of the token leaks through timing.
 */
public final class BearerToken {
    private static final String PREFIX = "bearer ";

    private final byte[] expectedHash;

    private BearerToken(String token) {
        this.expectedHash = token == null ? null : sha256(token);
    }

    /** @param token the required token; null: every request is allowed */
    public static BearerToken of(String token) {
        return new BearerToken(token);
    }

    public boolean required() {
        return expectedHash != null;
    }

    /** @param authorization the Authorization header's value, or null */
    public boolean allows(String authorization) {
        if (expectedHash == null) return true;
        if (authorization == null || authorization.length() < PREFIX.length()
                || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return false;
        }
        return MessageDigest.isEqual(expectedHash, sha256(authorization.substring(PREFIX.length()).trim()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
