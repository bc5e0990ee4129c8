package org.correlationstation.core.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides the credentials a URL may carry, so that URL-valued settings (REDIS_URL, LOKI_URL, the Tempo
 * endpoints, …) can be logged: the user-info's password, and the values of query parameters whose
 * name looks like a credential (password, token, key, secret, signature, auth, credential). Public
 * because the sinks log their endpoints too.
 */
public final class UrlRedaction {
    private UrlRedaction() {}

    /** A query parameter whose name contains one of these words carries a credential. */
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)([?&;][^=&#;]*(?:pass|pwd|auth|token|key|secret|sig|credential)[^=&#;]*=)[^&#;]*");

    /**
     * {@code scheme://user:pw@h} → {@code scheme://user:***@h}, {@code scheme://pw@h} →
     * {@code scheme://***@h} (Lettuce reads a lone user-info as the password, and a lone one in an
     * http URL is often a token), and credential-like query parameters → {@code name=***}. The
     * user-info ends at the last {@code @}, so an unencoded {@code @} in a password
     * does not leak its tail; text with an {@code @} but no {@code scheme://} before it is hidden
     * entirely. Null stays null.
     */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        String out = url;
        int schemeEnd = url.indexOf("://");
        // The last @ of the whole text, not of the authority: a password with an unencoded / or ?
        // must not leak; an @ in a query only hides more than needed.
        int at = url.lastIndexOf('@');
        if (at >= 0) {
            if (schemeEnd < 0 || schemeEnd > at) {
                return ConfigOption.REDACTED;
            }
            String userInfo = url.substring(schemeEnd + 3, at);
            int colon = userInfo.indexOf(':');
            String redacted = colon >= 0
                    ? userInfo.substring(0, colon + 1) + ConfigOption.REDACTED
                    : ConfigOption.REDACTED;
            out = url.substring(0, schemeEnd + 3) + redacted + url.substring(at);
        }
        return SECRET_PARAM.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(ConfigOption.REDACTED));
    }
}
