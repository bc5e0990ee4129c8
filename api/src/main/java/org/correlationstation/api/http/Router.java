package org.correlationstation.api.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Matches a raw request path against the route table. Literal segments match exactly (case-sensitive,
 * no trailing-slash folding); a {@code {name}} segment matches one non-empty segment, percent-decoded.
 */
public final class Router {
    private final List<Route> routes;

    /** The outcome: a route, or no path match (404), or a path match with another method (405). */
    public record Match(Route route, List<String> pathParameters, String template, Set<String> allowedMethods) {
        public boolean found() {
            return route != null;
        }

        public boolean pathMatched() {
            return template != null;
        }
    }

    public Router(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /** The route table, in registration order. */
    public List<Route> routes() {
        return routes;
    }

    /**
     * @param method the HTTP method ({@code HEAD} is answered as {@code GET})
     * @param rawPath the undecoded path of the request URI
     */
    public Match match(String method, String rawPath) {
        List<String> segments = split(rawPath);
        String effective = "HEAD".equals(method) ? "GET" : method;
        Set<String> allowed = new LinkedHashSet<>();
        String template = null;
        for (Route route : routes) {
            List<String> params = matchPath(route.segments(), segments);
            if (params == null) continue;
            if (route.method().equals(effective)) return new Match(route, params, route.template(), Set.of());
            template = route.template();
            allowed.add(route.method());
            if (route.method().equals("GET")) allowed.add("HEAD");
        }
        return new Match(null, List.of(), template, allowed);
    }

    static List<String> split(String path) {
        List<String> out = new ArrayList<>();
        if (path == null || path.isEmpty() || path.equals("/")) return out;
        String p = path.startsWith("/") ? path.substring(1) : path;
        for (String s : p.split("/", -1)) out.add(s);
        return out;
    }

    private static List<String> matchPath(List<String> template, List<String> actual) {
        if (template.size() != actual.size()) return null;
        List<String> params = new ArrayList<>();
        for (int i = 0; i < template.size(); i++) {
            String t = template.get(i);
            String a = actual.get(i);
            if (t.startsWith("{") && t.endsWith("}")) {
                if (a.isEmpty()) return null;
                params.add(decodeSegment(a));
            } else if (!t.equals(a)) {
                return null;
            }
        }
        return params;
    }

    private static String decodeSegment(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidArgument("malformed percent-encoding in the request path");
        }
    }
}
