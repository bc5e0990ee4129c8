package org.correlationstation.api.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Where a listing stopped: the (first_seen, correlation_id) of the last item returned. Listings are
 * ordered by first_seen descending, then correlation_id descending, so the position is a total order
 * and the next page starts strictly after it: records that existed when paging began are neither
 * repeated nor skipped, whatever is written meanwhile. Opaque to clients (base64url).
 */
public record Cursor(long firstSeenMillis, String correlationId) {
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    public String encode() {
        String raw = "v1:" + firstSeenMillis + ":" + correlationId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when the text is not a cursor this API issued */
    public static Cursor decode(String text) {
        if (text == null || text.isEmpty() || text.length() > 128) throw new IllegalArgumentException("malformed cursor");
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed cursor");
        }
        String[] parts = raw.split(":", -1);
        if (parts.length != 3 || !parts[0].equals("v1") || !UUID.matcher(parts[2]).matches()) {
            throw new IllegalArgumentException("malformed cursor");
        }
        try {
            return new Cursor(Long.parseLong(parts[1]), parts[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed cursor");
        }
    }

    /** True when an item at (firstSeen, id) comes after this position in listing order. */
    public boolean isBefore(long firstSeen, String id) {
        return firstSeen < firstSeenMillis || (firstSeen == firstSeenMillis && id.compareTo(correlationId) < 0);
    }
}
