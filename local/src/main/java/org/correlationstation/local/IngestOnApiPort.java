package org.correlationstation.local;

import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.correlationstation.api.http.HttpResponse;
import org.correlationstation.api.http.PostHandler;
import org.correlationstation.ingest.http.IngestEndpoint;
import org.correlationstation.ingest.http.IngestRequest;

/**
 * The ingest service's POST endpoints as extra routes of the query API, so that local mode accepts
 * the legacy ingestion routes on the API's port (SPEC §6). Here because local sees both modules;
 * neither the API nor ingest depends on the other.
 */
final class IngestOnApiPort {
    private IngestOnApiPort() {}

    static Map<String, PostHandler> routes(Map<String, IngestEndpoint> endpoints) {
        Map<String, PostHandler> routes = new LinkedHashMap<>();
        endpoints.forEach((path, endpoint) -> routes.put(path, request -> endpoint.handle(new IngestRequest(
                        request.header("Content-Type"), request.header("Content-Encoding"),
                        request.header("Authorization"), new ByteArrayInputStream(request.body()),
                        request.contentLength()))
                .thenApply(r -> new HttpResponse(r.status(), r.body(), r.contentType(), r.headers()))));
        return routes;
    }
}
