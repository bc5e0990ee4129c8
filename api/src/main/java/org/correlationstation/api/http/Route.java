package org.correlationstation.api.http;

import java.util.List;
import java.util.Set;
import org.correlationstation.http.HttpResponse;

/**
 * One entry of the route table: a method, a path template ({@code /api/correlations/{correlation_id}})
 * — also the {@code route} label of the request metrics — the query parameters it accepts, and whether
 * it is exempt from authentication and rate limiting (health and metrics).
 */
public record Route(String method, String template, Set<String> queryParameters, boolean open, Handler handler) {

    /** Answers one request whose route, path parameters and query parameters are already checked. */
    @FunctionalInterface
    public interface Handler {
        java.util.concurrent.CompletableFuture<HttpResponse> handle(Request request);
    }

    /** What a handler gets: path parameters in template order, query parameters, the trace context. */
    public record Request(List<String> pathParameters, QueryParams query, TraceContext trace, String accept) {}

    public Route {
        queryParameters = Set.copyOf(queryParameters);
    }

    List<String> segments() {
        return Router.split(template);
    }
}
