package org.correlationstation.ingest.http;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Map;

/**
 * A wrong method on a known path is 405 with {@code Allow} and the SPEC §6 error body, as on the query
 * API's port (SPEC §6: "a wrong method is 405 with Allow on every port"). Javalin alone answers 404
 * for a path it knows under another method.
 */
final class MethodNotAllowed {
    /** The methods a client may try on any path; each one a path does not serve gets the 405. */
    private static final List<HandlerType> METHODS = List.of(HandlerType.GET, HandlerType.HEAD, HandlerType.POST,
            HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);

    private MethodNotAllowed() {}

    /** Registers the 405 for every method but {@code served} (and HEAD, which Javalin answers like GET). */
    static void addFor(Javalin app, String path, HandlerType served) {
        String allow = served == HandlerType.GET ? "GET, HEAD" : served.name();
        for (HandlerType method : METHODS) {
            if (method == served || (served == HandlerType.GET && method == HandlerType.HEAD)) continue;
            app.addHttpHandler(method, path, ctx -> ctx.status(405).header("Allow", allow).json(Map.of("error",
                    Map.of("code", "method_not_allowed", "message", "method " + method.name()
                            + " is not allowed here; allowed: " + allow))));
        }
    }
}
