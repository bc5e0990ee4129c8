package org.correlationstation.http;

/**
 * What {@link HttpService#handle} needs of one request, as any HTTP server parsed it.
 *
 * @param method the request method as sent (not normalised)
 * @param rawPath the undecoded path of the request target
 * @param rawQuery the undecoded query (without {@code ?}), or null when the target has none
 * @param traceparent the {@code traceparent} header, or null when absent or sent more than once
 * @param authorization the first {@code Authorization} header, or null
 * @param accept the first {@code Accept} header, or null
 * @param contentLength the declared {@code Content-Length}, or -1 when none
 * @param chunked whether the body comes with a {@code Transfer-Encoding} (length unknown up front)
 */
public record RequestHead(String method, String rawPath, String rawQuery, String traceparent, String authorization,
        String accept, long contentLength, boolean chunked) {

    /**
     * Splits a request target into path and query: origin form ({@code /a?b}); absolute form
     * ({@code http://host/a?b}, as proxies send it) loses scheme and authority; anything else (e.g.
     * {@code *}) is kept as the path, which matches no route.
     *
     * @return {@code {path, query or null}}
     */
    public static String[] splitTarget(String target) {
        String t = target;
        if (!t.startsWith("/") && (t.regionMatches(true, 0, "http://", 0, 7) || t.regionMatches(true, 0, "https://", 0, 8))) {
            int slash = t.indexOf('/', t.indexOf("//") + 2);
            int question = t.indexOf('?', t.indexOf("//") + 2);
            if (slash < 0 || (question >= 0 && question < slash)) {
                t = "/" + (question >= 0 ? t.substring(question) : "");
            } else {
                t = t.substring(slash);
            }
        }
        int q = t.indexOf('?');
        return q < 0 ? new String[] {t, null} : new String[] {t.substring(0, q), t.substring(q + 1)};
    }
}
