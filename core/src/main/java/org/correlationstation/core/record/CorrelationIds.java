package org.correlationstation.core.record;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/** {@code correlation_id}: a name-based UUID v5 of {@code trace:<trace_id>} (SPEC §3). */
public final class CorrelationIds {
    /** RFC 4122 URL namespace. */
    public static final UUID NAMESPACE = UUID.fromString("6ba7b811-9dad-11d1-80b4-00c04fd430c8");
    private static final byte[] NAMESPACE_BYTES = bytes(NAMESPACE);

    /**
     * One SHA-1 digest per thread: {@code MessageDigest.getInstance} walks the security providers on
     * every call (about 4% of the query API's CPU when it ran per request); a digest is not thread-safe.
     */
    private static final ThreadLocal<MessageDigest> SHA1 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JVM", e);
        }
    });

    private CorrelationIds() {}

    public static String forTrace(String traceId) {
        return uuidV5(NAMESPACE, "trace:" + traceId).toString();
    }

    static UUID uuidV5(UUID namespace, String name) {
        MessageDigest sha1 = SHA1.get();
        sha1.reset(); // digest() resets it too; this guards against an update left by a failed call
        sha1.update(namespace.equals(NAMESPACE) ? NAMESPACE_BYTES : bytes(namespace));
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) msb = (msb << 8) | (hash[i] & 0xff);
        for (int i = 8; i < 16; i++) lsb = (lsb << 8) | (hash[i] & 0xff);
        return new UUID(msb, lsb);
    }

    private static byte[] bytes(UUID uuid) {
        byte[] b = new byte[16];
        long msb = uuid.getMostSignificantBits();
        long lsb = uuid.getLeastSignificantBits();
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) msb;
            b[i + 8] = (byte) lsb;
            msb >>>= 8;
            lsb >>>= 8;
        }
        return b;
    }
}
